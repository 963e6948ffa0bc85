using Akka.Actor;
using Akka.Configuration;
using Akka.Remote;
using System.Runtime.InteropServices;
using Mono.Unix.Native;

namespace Akka.Transport.Ipc.Tests.NodeHost;

/// <summary>
/// Akka.NET's RemotePingPong shape: two ActorSystems in this process over IPC, echo actors remote-deployed onto the
/// second, messages exchanged; then the process leaves in one of these ways.
/// <code>
///   --remote-ping-pong-exit &lt;return|exit|service|unhooked|cancelled&gt; &lt;directory&gt;
/// </code>
/// <c>return</c> and <c>exit</c> (RemotePingPong's own ending): both systems told to terminate without waiting, then
/// Main returns or calls Environment.Exit(0) while that shutdown is still under way; prints <c>TERMINATING</c>.
/// The signal endings print <c>RUNNING</c> with both systems up and associated, and wait for the test's signal:
/// <c>service</c> is a long-running remoting app with Akka's defaults whose Main awaits its systems' termination;
/// nothing in it asks for CoordinatedShutdown, so Akka.NET 1.5 installs no signal hook and every signal takes its
/// default action with both endpoints live; <c>coordinated</c> is the same app having used CoordinatedShutdown
/// (as one that adds shutdown tasks, or a cluster node, does), which installs Akka's hook: SIGTERM and SIGINT are
/// cancelled and run CoordinatedShutdown, then Main returns;
/// <c>cancelled</c> is an app that handles SIGTERM itself, with a handler registered once its systems run (as
/// Akka's CoordinatedShutdown hook is when first used): it cancels the signal and prints <c>NAMES-KEPT</c> if every name of its endpoints is still there once all handlers ran (nothing was
/// released while the endpoints still serve), then terminates both systems and returns.
/// Exit codes: 0 as asked, 2 the exchange failed, 6 (cancelled) a name was gone after the signal, 64 bad arguments.
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
        if (args is not [_, var ending and ("return" or "exit" or "service" or "coordinated" or "cancelled"), var directory])
        {
            Console.Error.WriteLine($"usage: {Flag} <return|exit|service|coordinated|cancelled> <directory>");
            return 64;
        }
        // A child of a test host (or of a non-interactive shell) may inherit SIGINT, SIGQUIT or SIGHUP ignored; give
        // them their default action, as a program started in a terminal has, so each behaves as it does for a user.
        foreach (var signal in new[] { Signum.SIGINT, Signum.SIGQUIT, Signum.SIGHUP, Signum.SIGTERM })
            Stdlib.SetSignalAction(signal, SignalAction.Default);
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

        switch (ending)
        {
            case "return":
            case "exit":
                // As RemotePingPong does: terminate both, do not wait.
                _ = first.Terminate();
                _ = second.Terminate();
                Console.Out.WriteLine("TERMINATING");
                Console.Out.Flush();
                if (ending == "exit")
                    Environment.Exit(0);
                return 0;
            case "service":
            case "coordinated":
                if (ending == "coordinated")
                {
                    CoordinatedShutdown.Get(first);
                    CoordinatedShutdown.Get(second);
                }
                Ready();
                await Task.WhenAll(first.WhenTerminated, second.WhenTerminated);
                return 0;
            default:
                using (CancelTermination())
                {
                    Ready();
                    await Cancelled.Task;
                    bool kept = NamesOf(directory).Length > 0 && NamesOf(directory).SequenceEqual(NamesAtReady);
                    Console.Out.WriteLine(kept ? "NAMES-KEPT" : $"NAMES-GONE: {string.Join(", ", NamesOf(directory))} of {string.Join(", ", NamesAtReady)}");
                    await Task.WhenAll(first.Terminate(), second.Terminate());
                    return kept ? 0 : 6;
                }
        }

        void Ready()
        {
            NamesAtReady = NamesOf(directory);
            Console.Out.WriteLine("RUNNING");
            Console.Out.Flush();
        }
    }

    private static readonly TaskCompletionSource Cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static string[] NamesAtReady = [];

    private static string[] NamesOf(string directory) =>
        Directory.GetFileSystemEntries(directory).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// The app's own SIGTERM handler: it cancels the signal to shut down in its own time. The names are read once
    /// every handler of the signal ran (the runtime calls them one after another on its signal thread).
    /// </summary>
    private static PosixSignalRegistration CancelTermination() =>
        PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            // The runtime calls the remaining handlers on this thread right after this one returns.
            _ = Task.Run(async () =>
            {
                await Task.Delay(500);
                Cancelled.TrySetResult();
            });
        });
}
