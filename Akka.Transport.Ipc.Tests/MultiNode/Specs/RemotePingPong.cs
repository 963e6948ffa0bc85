using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Configuration;
using Akka.Remote;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

/// <summary>
/// Akka.NET's RemotePingPong shape in one process: two ActorSystems over IPC, 4 echo actors remote-deployed onto the
/// second, 50 asks each answered in order. What <see cref="ProcessExitSpec"/>'s leaving process runs before it ends.
/// </summary>
internal sealed class RemotePingPong
{
    private const int Actors = 4;
    private const int MessagesPerActor = 50;
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);
    private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RemotePingPong(ActorSystem first, ActorSystem second)
    {
        First = first;
        Second = second;
    }

    public ActorSystem First { get; }

    public ActorSystem Second { get; }

    /// <summary>Completes once the SIGTERM that <see cref="CancelTermination"/> cancelled has been handled by every handler.</summary>
    public Task Cancelled => _cancelled.Task;

    /// <summary>
    /// Starts both systems on <paramref name="config"/> (WARNING log level) and exchanges the messages. (The kit's
    /// role processes start with SIGINT, SIGQUIT, SIGHUP and SIGTERM at their default action, as a program started in
    /// a terminal has them.)
    /// </summary>
    public static RemotePingPong Exchange(Config config)
    {
        config = ConfigurationFactory.ParseString("akka.loglevel = WARNING").WithFallback(config);
        var pingPong = new RemotePingPong(ActorSystem.Create("PingPongFirst", config), ActorSystem.Create("PingPongSecond", config));
        var secondAddress = ((ExtendedActorSystem)pingPong.Second).Provider.DefaultAddress;
        for (int actor = 0; actor < Actors; actor++)
        {
            var echo = pingPong.First.ActorOf(Props.Create<Echo>().WithDeploy(new Deploy(new RemoteScope(secondAddress))));
            for (int n = 0; n < MessagesPerActor; n++)
                Assert.Equal(n, echo.Ask<int>(n, AskTimeout).Result);
        }
        Console.Out.WriteLine($"EXCHANGED {Actors * MessagesPerActor} via {secondAddress}");
        return pingPong;
    }

    /// <summary>
    /// The app's own SIGTERM handler, registered now that its systems run: it cancels the signal to shut down in its
    /// own time; <see cref="Cancelled"/> completes half a second later, when every other handler has run.
    /// </summary>
    public PosixSignalRegistration CancelTermination() =>
        PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            // The runtime calls the remaining handlers on this thread right after this one returns.
            _ = Task.Run(async () =>
            {
                await Task.Delay(500);
                _cancelled.TrySetResult();
            });
        });

    /// <summary>The names in <paramref name="directory"/>, sorted.</summary>
    public static string[] NamesOf(string directory) =>
        Directory.GetFileSystemEntries(directory).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
}
