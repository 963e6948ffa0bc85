using Akka.Actor;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Akka.Transport.Ipc.Tests.TestActors;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

public sealed class SmallTmpfsAutoConfig : MultiNodeConfig
{
    public SmallTmpfsAutoConfig()
    {
        Tester = Role("tester");
        Producers = Enumerable.Range(0, 6).Select(i => Role($"producer{i}")).ToArray();
        CommonConfig = ModeConfig.For("auto").WithFallback(RecordedLog.Config);
    }

    /// <summary>Mounts the tmpfs and receives every stream (the harness's test system).</summary>
    public RoleName Tester { get; }

    public RoleName[] Producers { get; }
}

/// <summary>
/// mode = auto on a 3 MiB shm-directory: six producer processes each associate with the tester's system, at a ring
/// size where only two segments fit, and stream 20 000 numbers: every stream arrives complete and in order; the
/// associations that got no segment ran over FIFOs, and some but not all (1..5) producers fell back, each saying so
/// exactly once (bytes needed and free, the shm-directory, "runs over FIFOs (mode = auto)"). No process dies (no
/// SIGBUS: a dead role fails the run), no unexpected ERROR, and the tmpfs and the IPC directory are empty afterwards.
/// Skipped, visibly, where no tmpfs can be mounted (not root). (Ported from the NodeHost harness's
/// SmallTmpfsAutoTests; each producer reads its own log and reports whether it fell back to the tester.)
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class SmallTmpfsAutoSpec : SmallTmpfsSpec
{
    private const int PerProducer = 20_000;
    private const string FallbackWarning = "cannot create a shared-memory segment";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private readonly SmallTmpfsAutoConfig _config;

    public SmallTmpfsAutoSpec(ITestOutputHelper output) : this(new SmallTmpfsAutoConfig(), output)
    {
    }

    private SmallTmpfsAutoSpec(SmallTmpfsAutoConfig config, ITestOutputHelper output) : base(config, output) => _config = config;

    private string Settings => SettingsFor("auto");

    [MultiNodeFact(Timeout = 300_000)]
    public void Associations_that_do_not_fit_run_over_fifos_and_every_stream_arrives_in_order() => WithSmallTmpfs(_config.Tester, tmpfs =>
    {
        (ActorSystem System, Infrastructure.ErrorLogCollector Errors)? started = null;
        RunOn(() =>
        {
            Output!.WriteLine($"tmpfs {tmpfs!.Path}: {tmpfs.FreeBytes()} bytes free, {SegmentLayout.TotalLength(512 * 1024)} bytes per segment");
            started = StartSystem(Settings);
            started.Value.System.ActorOf(Props.Create<PerSenderVerifier>(), "per-sender-verifier");
            Sys.ActorOf(Props.Create(() => new Forwarder(TestActor)), "fallback-reports");
        }, _config.Tester);
        EnterBarrier("tester-started");

        RunOn(() =>
        {
            started = StartSystem(Settings);
            Produce(started.Value.System, SystemUnderTestOf(_config.Tester));
            Sys.ActorSelection(Node(_config.Tester) / "user" / "fallback-reports").Tell(CheckFallbackWarning());
        }, _config.Producers);
        EnterBarrier("produced");

        RunOn(() =>
        {
            int fellBack = _config.Producers.Select(_ => ExpectMsg<bool>(Timeout)).Count(b => b);
            Output!.WriteLine($"{fellBack} of {_config.Producers.Length} producers fell back to FIFOs");
            Assert.InRange(fellBack, 1, _config.Producers.Length - 1); // some got a segment, some did not
        }, _config.Tester);
        EnterBarrier("judged");

        Stop(started!.Value);
        EnterBarrier("systems-stopped");
        ShutdownAndVerify(_config.Tester);
        RunOn(() => Assert.Empty(tmpfs!.Entries()), _config.Tester);
    });

    /// <summary>Streams 0..19 999 to the tester's verifier; all must arrive in order.</summary>
    private static void Produce(ActorSystem system, Address tester)
    {
        var verifier = system.ActorSelection(new RootActorPath(tester) / "user" / "per-sender-verifier").ResolveOne(Timeout).Result;
        var inbox = Inbox.Create(system);
        verifier.Tell(new PerSenderVerifier.Expect(PerProducer), inbox.Receiver);
        for (int i = 0; i < PerProducer; i++)
            verifier.Tell(i, inbox.Receiver);
        Assert.Equal(new PerSenderVerifier.Done(PerProducer), inbox.ReceiveAsync(Timeout).Result);
    }

    /// <summary>Whether this producer fell back; if so it said so once, with the numbers and the directory.</summary>
    private bool CheckFallbackWarning()
    {
        var lines = RecordedLog.Lines.Where(l => l.Contains(FallbackWarning, StringComparison.Ordinal)).ToList();
        if (lines.Count == 0)
            return false;
        var line = Assert.Single(lines); // once, not per attempt
        Assert.Contains($"needs {SegmentLayout.TotalLength(512 * 1024)} bytes", line);
        Assert.Contains($"shm-directory '{TmpfsPath}'", line);
        Assert.Matches(@"which has \d+ bytes free", line);
        Assert.Contains("runs over FIFOs (mode = auto)", line);
        return true;
    }

    private sealed class Forwarder : ReceiveActor
    {
        public Forwarder(IActorRef target) => ReceiveAny(message => target.Forward(message));
    }
}
