using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Akka.Transport.Ipc.Tests.NodeHost;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Reliability;

/// <summary>
/// mode = auto on a 3 MiB shm-directory: six producer processes each associate with the test system, at a ring size
/// where only two segments fit. The associations that get no segment run over FIFOs, each producer that fell back
/// says so once (bytes needed and free); every stream arrives complete and in order, no process dies (no SIGBUS),
/// and the tmpfs and the IPC directory are empty afterwards.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class SmallTmpfsAutoTests : MultiProcessTestKit
{
    private const string Ring = "512KiB";
    private const int Producers = 6;
    private const int PerProducer = 20_000;
    private const string FallbackWarning = "cannot create a shared-memory segment";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private readonly SmallTmpfs _tmpfs;

    public SmallTmpfsAutoTests(ITestOutputHelper output) : this(SmallTmpfs.Mount(), output)
    {
    }

    private SmallTmpfsAutoTests(SmallTmpfs tmpfs, ITestOutputHelper output)
        : base(output, ringSize: Ring, mode: "auto", shmDirectory: tmpfs.Path) => _tmpfs = tmpfs;

    [SkippableFact]
    public async Task Associations_that_do_not_fit_run_over_fifos_and_every_stream_arrives_in_order()
    {
        Skip.IfNot(_tmpfs.Mounted, _tmpfs.SkipReason);
        long segment = SegmentLayout.TotalLength(512 * 1024);
        TestOutput.WriteLine($"tmpfs {_tmpfs.Path}: {_tmpfs.FreeBytes()} bytes free, {segment} bytes per segment");

        Sys.ActorOf(Akka.Actor.Props.Create<PerSenderVerifier>(), "per-sender-verifier");
        var nodes = await Task.WhenAll(Enumerable.Range(0, Producers).Select(i => StartNodeAsync($"Producer{i}")));
        var runs = nodes.Select(async node =>
        {
            try
            {
                return await node.RequestAsync($"PRODUCE {LocalAddress} {PerProducer}", "PRODUCE-DONE", Timeout);
            }
            catch (Exception e)
            {
                return $"{node.Address}: {e.Message}";
            }
        });
        var results = await Task.WhenAll(runs);

        var dead = nodes.Where(n => n.HasExited).Select(n => $"{n.Address} (pid {n.ProcessId}) exited with {n.ExitCode}{(n.ExitCode is 134 or 135 ? " (SIGBUS: 135, or 134 when .NET turns it into a fatal AccessViolationException)" : "")}").ToList();
        Assert.True(dead.Count == 0, "producers died: " + string.Join("; ", dead));
        Assert.All(results, r => Assert.StartsWith($"PRODUCE-DONE {PerProducer} ", r));

        var warnings = nodes.Select(n => n.OutputLines.Where(l => l.Contains(FallbackWarning, StringComparison.Ordinal)).ToList()).ToList();
        int fellBack = warnings.Count(w => w.Count > 0);
        TestOutput.WriteLine($"{fellBack} of {Producers} producers fell back to FIFOs");
        Assert.InRange(fellBack, 1, Producers - 1); // some got a segment, some did not
        foreach (var lines in warnings.Where(w => w.Count > 0))
        {
            var line = Assert.Single(lines); // once, not per attempt
            Assert.Contains($"needs {segment} bytes", line);
            Assert.Contains($"shm-directory '{_tmpfs.Path}'", line);
            Assert.Matches(@"which has \d+ bytes free", line);
            Assert.Contains("runs over FIFOs (mode = auto)", line);
        }

        await ShutdownAndVerifyAsync();
        Assert.Empty(_tmpfs.Entries());
    }

    protected override void Dispose(bool disposing)
    {
        try
        {
            base.Dispose(disposing);
        }
        finally
        {
            _tmpfs.Dispose();
        }
    }
}
