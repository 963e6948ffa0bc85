using System.Diagnostics;
using Akka.Actor;
using Akka.Remote;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

public sealed class StrayLifeInputConfig : MultiNodeConfig
{
    public StrayLifeInputConfig()
    {
        Watcher = Role("watcher");
        Peer = Role("peer");
        CommonConfig = ModeConfig.For("shm");
    }

    public RoleName Watcher { get; }

    public RoleName Peer { get; }
}

/// <summary>
/// A life FIFO is watched for hang-up only: a byte someone writes into the peer's (`echo x &gt; 4053.life`) must not
/// make the watcher's poll thread spin (under 50 ms of CPU in the next second), the association keeps working (20
/// asks) and still sees the peer SIGKILLed within 5 s; a new endpoint then sweeps what the dead peer left and the
/// directory ends empty with no unexpected ERROR. (Ported from the NodeHost harness's StrayLifeInputTests.)
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class StrayLifeInputSpec : HarnessCheckedSpec
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SpinBound = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan DetectionLimit = TimeSpan.FromSeconds(5);
    private readonly StrayLifeInputConfig _config;

    public StrayLifeInputSpec(ITestOutputHelper output) : this(new StrayLifeInputConfig(), output)
    {
    }

    private StrayLifeInputSpec(StrayLifeInputConfig config, ITestOutputHelper output) : base(config, output) => _config = config;

    [MultiNodeFact]
    public void A_byte_written_into_a_peers_life_fifo_does_not_make_the_poll_thread_spin()
    {
        RunOn(() => Sys.ActorOf(Props.Create<Echo>(), "echo"), _config.Peer);
        EnterBarrier("echo-started");

        RunOn(() =>
        {
            var peer = GetAddress(_config.Peer);
            var echo = Sys.ActorSelection(Node(_config.Peer) / "user" / "echo");
            Assert.Equal("before", echo.Ask<string>("before", AskTimeout).Result);

            WriteStrayByte(new ChannelNames(IpcDirectory).Life(peer.Port!.Value));
            int pollThread = ThreadCpu.FindThread($"ipc-poll-{SelfAddress.Port}");
            var cpuBefore = ThreadCpu.OnCpu(pollThread);
            var wall = Stopwatch.StartNew();
            Thread.Sleep(TimeSpan.FromSeconds(1));
            var spent = ThreadCpu.OnCpu(pollThread) - cpuBefore;
            Output!.WriteLine($"poll thread used {spent.TotalMilliseconds:F1} ms of CPU in {wall.ElapsedMilliseconds} ms after a stray byte");
            Assert.True(spent < SpinBound, $"the poll thread spun: {spent.TotalMilliseconds:F0} ms of CPU in {wall.ElapsedMilliseconds} ms");

            for (int i = 0; i < 20; i++)
                Assert.Equal($"after {i}", echo.Ask<string>($"after {i}", AskTimeout).Result);

            var events = CreateTestProbe();
            Sys.EventStream.Subscribe(events.Ref, typeof(DisassociatedEvent));
            long killedAt = TestConductor.Kill(_config.Peer).Result;
            var left = DetectionLimit - Stopwatch.GetElapsedTime(killedAt);
            events.FishForMessage<DisassociatedEvent>(e => e.RemoteAddress == peer, left > TimeSpan.Zero ? left : TimeSpan.Zero);
            SweepWithNewEndpoint(); // removes what the killed peer left behind, as any new endpoint does
        }, _config.Watcher);

        ShutdownAndVerify(_config.Watcher);
    }

    private static unsafe void WriteStrayByte(string lifeFifo)
    {
        using var fd = Posix.Open(lifeFifo, LibC.O_WRONLY | LibC.O_NONBLOCK);
        byte x = (byte)'x';
        Assert.Equal(1, (int)LibC.Write(fd.Fd, &x, 1));
    }
}
