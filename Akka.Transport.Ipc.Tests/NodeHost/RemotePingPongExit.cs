using Akka.Actor;
using Akka.Configuration;
using Akka.Remote;

namespace Akka.Transport.Ipc.Tests.NodeHost;

/// <summary>
/// Akka.NET's RemotePingPong shape, ending the way that benchmark's process ends: two ActorSystems in this process
/// over IPC, echo actors remote-deployed onto the second, messages exchanged, then both systems told to terminate
/// without waiting, and the process leaves while that shutdown is still under way.
/// <code>
///   --remote-ping-pong-exit &lt;return|exit|signal&gt; &lt;directory&gt;
/// </code>
/// <c>return</c> returns from Main, <c>exit</c> calls Environment.Exit(0), <c>signal</c> waits for the test to
/// send a signal. Prints <c>TERMINATING</c> once both Terminate() calls were made.
/// Exit codes: 0 as asked, 2 the exchange failed, 64 bad arguments.
/// </summary>
public static class RemotePingPongExit
{
    public const string Flag = "--remote-ping-pong-exit";
    private const int Actors = 4;
    private const int MessagesPerActor = 50;
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    public static bool Matches(string[] args) => args.Length > 0 && args[0] == Flag;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not [_, var ending and ("return" or "exit" or "signal"), var directory])
        {
            Console.Error.WriteLine($"usage: {Flag} <return|exit|signal> <directory>");
            return 64;
        }
        // A child of a test host (or of a non-interactive shell) may inherit SIGINT and SIGQUIT ignored; give them
        // their default action, as a program started in a terminal has, so Ctrl+C behaves as it does for a user.
        Mono.Unix.Native.Stdlib.SetSignalAction(Mono.Unix.Native.Signum.SIGINT, Mono.Unix.Native.SignalAction.Default);
        Mono.Unix.Native.Stdlib.SetSignalAction(Mono.Unix.Native.Signum.SIGQUIT, Mono.Unix.Native.SignalAction.Default);
        var config = ConfigurationFactory.ParseString("akka.loglevel = WARNING")
            .WithFallback(ConfigurationFactory.ParseString(IpcHocon.Build(directory)));
        var first = ActorSystem.Create("PingPongFirst", config);
        var second = ActorSystem.Create("PingPongSecond", config);
        var secondAddress = ((ExtendedActorSystem)second).Provider.DefaultAddress;
        try
        {
            for (int actor = 0; actor < Actors; actor++)
            {
                var echo = first.ActorOf(Props.Create<EchoActor>().WithDeploy(new Deploy(new RemoteScope(secondAddress))));
                for (int n = 0; n < MessagesPerActor; n++)
                {
                    int reply = await echo.Ask<int>(n, AskTimeout);
                    if (reply != n)
                        throw new InvalidOperationException($"echo {actor} answered {reply} to {n}");
                }
            }
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"FAILED the exchange: {e}");
            return 2;
        }
        Console.Out.WriteLine($"EXCHANGED {Actors * MessagesPerActor} via {secondAddress}");

        // As RemotePingPong does: terminate both, do not wait.
        _ = first.Terminate();
        _ = second.Terminate();
        Console.Out.WriteLine("TERMINATING");
        Console.Out.Flush();

        switch (ending)
        {
            case "return":
                return 0;
            case "exit":
                Environment.Exit(0);
                return 0;
            default:
                await Task.Delay(Timeout.Infinite); // until the signal's default action ends the process
                return 0;
        }
    }
}
