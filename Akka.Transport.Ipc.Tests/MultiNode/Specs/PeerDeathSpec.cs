using System.Diagnostics;
using Akka.Actor;
using Akka.Remote;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

public sealed class PeerDeathConfig : MultiNodeConfig
{
    public PeerDeathConfig(string mode)
    {
        Watcher = Role("watcher");
        Victim = Role("victim");
        Survivor = Role("survivor");
        CommonConfig = ModeConfig.For(mode);
    }

    /// <summary>Talks to both, has the victim killed and checks (the harness's test system).</summary>
    public RoleName Watcher { get; }

    public RoleName Victim { get; }

    public RoleName Survivor { get; }
}

/// <summary>
/// A peer killed with SIGKILL, idle or with frames flowing to it and its echoes back: the watcher's remoting sees the
/// association end through the kernel within 250 ms of the SIGKILL (dot-netty.tcp needs ~70 ms through the kernel's
/// RST; 7–21 ms measured), keeps serving the survivor (100 asks), and the next endpoint removes every name of the dead
/// port and answers; clean shutdown, no unexpected ERROR, empty directory. (Ported from the NodeHost harness's
/// PeerDeathTests, whose theory cases are the two methods.)
/// </summary>
public abstract class PeerDeathSpec(PeerDeathConfig config, ITestOutputHelper output) : HarnessCheckedSpec(config, output)
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DetectionBound = TimeSpan.FromMilliseconds(250);

    [MultiNodeFact]
    public void A_killed_idle_peer_is_seen_disassociated_and_the_survivor_keeps_serving_others() => Run(midStream: false);

    [MultiNodeFact]
    public void A_peer_killed_mid_stream_is_seen_disassociated_and_the_survivor_keeps_serving_others() => Run(midStream: true);

    private void Run(bool midStream)
    {
        RunOn(() => Sys.ActorOf(Props.Create<Echo>(), "echo"), config.Victim, config.Survivor);
        EnterBarrier("echoes-started");
        RunOn(() => WatchDeath(midStream), config.Watcher);
        ShutdownAndVerify(config.Watcher);
    }

    private void WatchDeath(bool midStream)
    {
        var victim = GetAddress(config.Victim);
        var survivorEcho = Sys.ActorSelection(Node(config.Survivor) / "user" / "echo");
        Assert.Equal("hello", Sys.ActorSelection(Node(config.Victim) / "user" / "echo").Ask<string>("hello", AskTimeout).Result);
        Assert.Equal("hi", survivorEcho.Ask<string>("hi", AskTimeout).Result);
        using var streaming = new CancellationTokenSource();
        if (midStream)
            StreamUntilCancelled(streaming.Token);

        var disassociated = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        Sys.EventStream.Subscribe(Sys.ActorOf(Props.Create(() => new DisassociationClock(victim, disassociated))), typeof(DisassociatedEvent));
        long killedAt = TestConductor.Kill(config.Victim).Result;
        Assert.True(disassociated.Task.Wait(AskTimeout), "the killed peer was never seen disassociated");
        streaming.Cancel();
        var detection = Stopwatch.GetElapsedTime(killedAt, disassociated.Task.Result);
        Output!.WriteLine($"{(midStream ? "mid-stream" : "idle")}: DisassociatedEvent for the killed peer {detection.TotalMilliseconds:F1} ms after SIGKILL");
        Assert.True(detection <= DetectionBound,
            $"DisassociatedEvent {detection.TotalMilliseconds:F1} ms after SIGKILL; the bound is {DetectionBound.TotalMilliseconds} ms");

        for (int i = 0; i < 100; i++)
            Assert.Equal($"still here {i}", survivorEcho.Ask<string>($"still here {i}", AskTimeout).Result);

        // A new endpoint removes what the killed one left (its lock is free now).
        var newcomer = ActorSystem.Create("Newcomer", Sys.Settings.Config);
        var newcomerErrors = ErrorLogCollector.Install(newcomer);
        try
        {
            newcomer.ActorOf(Props.Create<Echo>(), "echo");
            Assert.DoesNotContain(Directory.GetFileSystemEntries(IpcDirectory),
                e => Path.GetFileName(e).StartsWith($"{victim.Port}", StringComparison.Ordinal));
            var newcomerEcho = new RootActorPath(((ExtendedActorSystem)newcomer).Provider.DefaultAddress) / "user" / "echo";
            Assert.Equal("new", Sys.ActorSelection(newcomerEcho).Ask<string>("new", AskTimeout).Result);
        }
        finally
        {
            Assert.True(newcomer.Terminate().Wait(ShutdownLimit), "the newcomer did not terminate");
        }
        newcomerErrors.AssertNoUnexpectedErrors();
    }

    /// <summary>
    /// Frames flow towards the victim and its echoes back until cancelled; returns once echoes provably flow (they
    /// keep coming back right before the kill). Paced (a burst, then a millisecond's pause) so the stream is continuous
    /// without starving the dispatcher that publishes DisassociatedEvent.
    /// </summary>
    private void StreamUntilCancelled(CancellationToken cancelled)
    {
        var echo = Sys.ActorSelection(Node(config.Victim) / "user" / "echo");
        var echoes = new EchoCounter();
        var counter = Sys.ActorOf(Props.Create(() => new EchoCounterActor(echoes)));
        _ = Task.Run(async () =>
        {
            for (int i = 0; !cancelled.IsCancellationRequested; i++)
            {
                echo.Tell(new byte[256 + i % 1024], counter);
                if (i % 50 == 49)
                    await Task.Delay(1);
            }
        });
        long last = echoes.Count;
        for (int i = 0; i < 3 || echoes.Count == last; i++)
        {
            Assert.True(i < 200, $"no echoes are flowing: {echoes.Count} so far");
            last = echoes.Count;
            Thread.Sleep(20);
        }
        Output!.WriteLine($"stream in flight: {echoes.Count} echoes back, {echoes.Count - last} in the last 20 ms before the kill");
    }
}

[Collection(MultiProcessCollection.Name)]
public sealed class ShmPeerDeathSpec(ITestOutputHelper output) : PeerDeathSpec(new PeerDeathConfig("shm"), output);

[Collection(MultiProcessCollection.Name)]
public sealed class FifoPeerDeathSpec(ITestOutputHelper output) : PeerDeathSpec(new PeerDeathConfig("fifo"), output);

/// <summary>Echoes counted by <see cref="EchoCounterActor"/>, read by the spec's thread.</summary>
internal sealed class EchoCounter
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Increment() => Interlocked.Increment(ref _count);
}

/// <summary>Counts every message it receives into an <see cref="EchoCounter"/>.</summary>
internal sealed class EchoCounterActor : ReceiveActor
{
    public EchoCounterActor(EchoCounter counter) => ReceiveAny(_ => counter.Increment());
}
