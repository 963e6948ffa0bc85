using Akka.Actor;
using Akka.Configuration;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Akka.Transport.Ipc.Tests.TestActors;
using Akka.Transport.Ipc.Tests.Reliability;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

public sealed class SparseSegmentConfig : MultiNodeConfig
{
    public SparseSegmentConfig()
    {
        Tester = Role("tester");
        Listener = Role("listener");
        CommonConfig = ConfigurationFactory.ParseString("akka.remote.ipc.ring-size = 64KiB")
            .WithFallback(ModeConfig.For("auto")).WithFallback(RecordedLog.Config);
    }

    /// <summary>Mounts the tmpfs, streams to the listener and forges the sparse segment (the harness's test system).</summary>
    public RoleName Tester { get; }

    /// <summary>Starts the listening system under test on the tmpfs.</summary>
    public RoleName Listener { get; }
}

/// <summary>
/// The listener side of a full file system: a forged client offers a SPARSE segment (only its header page backed)
/// on a 3 MiB tmpfs that is then filled up. The listener refuses it (state Refused) with the reason written in the
/// segment (posix_fallocate, the segment's path, "No space left on device"), logs "Refused a connection from port
/// &lt;forger&gt;", stays alive (touching an unbacked page would SIGBUS it: a dead role fails the run) and keeps serving
/// its other association, 5 000 numbers before and 5 000 after, in order. No unexpected ERROR; the tmpfs and the IPC
/// directory are empty afterwards. Skipped, visibly, where no tmpfs can be mounted (not root). (Ported from the
/// NodeHost harness's SparseSegmentTests.)
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class SparseSegmentSpec : SmallTmpfsSpec
{
    private const int Ring = 64 * 1024;
    private const int PerRound = 5_000;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);
    private readonly SparseSegmentConfig _config;
    private Inbox? _inbox;

    public SparseSegmentSpec(ITestOutputHelper output) : this(new SparseSegmentConfig(), output)
    {
    }

    private SparseSegmentSpec(SparseSegmentConfig config, ITestOutputHelper output) : base(config, output) => _config = config;

    [MultiNodeFact]
    public void A_sparse_segment_on_a_full_tmpfs_is_refused_with_its_reason_and_the_listener_keeps_serving() => WithSmallTmpfs(_config.Tester, tmpfs =>
    {
        (ActorSystem System, Infrastructure.ErrorLogCollector Errors)? listener = null;
        RunOn(() =>
        {
            listener = StartSystem($"akka.remote.ipc.shm-directory = \"{TmpfsPath}\"");
            listener.Value.System.ActorOf(Props.Create<PerSenderVerifier>(), "per-sender-verifier");
        }, _config.Listener);
        EnterBarrier("listener-started");

        IActorRef? verifier = null;
        SparsePeer? forger = null;
        string? filler = null;
        try
        {
            RunOn(() =>
            {
                verifier = Sys.ActorSelection(new RootActorPath(SystemUnderTestOf(_config.Listener)) / "user" / "per-sender-verifier")
                    .ResolveOne(Timeout).Result;
                Stream(verifier, 0); // the other association
                (forger, filler) = OfferSparseSegment(tmpfs!);
            }, _config.Tester);
            EnterBarrier("refused");

            RunOn(() =>
            {
                int forgerPort = EndpointLocks.OtherPortOfSameProcess(IpcDirectory, GetAddress(_config.Tester).Port!.Value);
                AwaitCondition(() => RecordedLog.Lines.Any(l => l.Contains($"Refused a connection from port {forgerPort}", StringComparison.Ordinal)), Timeout);
            }, _config.Listener);
            EnterBarrier("refusal-logged");
        }
        finally
        {
            if (filler is not null)
                File.Delete(filler);
            forger?.Dispose();
        }

        RunOn(() => Stream(verifier!, 1), _config.Tester); // the listener still serves its other association, in order
        EnterBarrier("streamed-again");
        RunOn(() => Stop(listener!.Value), _config.Listener);
        EnterBarrier("listener-stopped");
        ShutdownAndVerify(_config.Tester);
        RunOn(() => Assert.Empty(tmpfs!.Entries()), _config.Tester);
    });

    /// <summary>Fills the tmpfs, offers the sparse segment and checks the listener's refusal; returns the forger and the filler.</summary>
    private (SparsePeer Forger, string Filler) OfferSparseSegment(SmallTmpfs tmpfs)
    {
        var forger = new SparsePeer(IpcDirectory, tmpfs.Path);
        string segment = forger.CreateSparseSegment(Ring, wireFrameLimit: 128000 + Ipc.Configuration.IpcSettings.EnvelopeHeadroom);
        string filler = tmpfs.Fill();
        Output!.WriteLine($"tmpfs full: {tmpfs.FreeBytes()} bytes free; offering the sparse {segment}");
        forger.Offer(SystemUnderTestOf(_config.Listener).Port!.Value);
        int state = forger.WaitForAnswerAsync(TimeSpan.FromSeconds(10)).Result;
        Thread.Sleep(500); // a listener that touched an unbacked page is dead by now (and the run fails)
        Assert.Equal(SegmentLayout.Refused, state);
        string reason = forger.Refusal;
        Output.WriteLine($"refused: {reason}");
        Assert.Contains("posix_fallocate", reason);
        Assert.Contains(segment, reason);
        Assert.Contains("No space left on device", reason);
        return (forger, filler);
    }

    /// <summary>Numbers PerRound × round onwards from one sender (the verifier checks order per sender).</summary>
    private void Stream(IActorRef verifier, int round)
    {
        var inbox = _inbox ??= Inbox.Create(Sys);
        verifier.Tell(new PerSenderVerifier.Expect(PerRound * (round + 1)), inbox.Receiver);
        for (int i = PerRound * round; i < PerRound * (round + 1); i++)
            verifier.Tell(i, inbox.Receiver);
        Assert.Equal(new PerSenderVerifier.Done(PerRound * (round + 1)), inbox.ReceiveAsync(Timeout).Result);
    }
}
