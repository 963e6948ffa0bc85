using System.Diagnostics;
using System.Globalization;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.MultiNode.Specs;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Mono.Unix.Native;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Soak;

public sealed class ChaosSoakConfig : MultiNodeConfig
{
    public ChaosSoakConfig()
    {
        Driver = Role("driver");
        Nodes = Enumerable.Range(0, ChaosSoakSpec.Modes.Length).Select(slot => Role($"node{slot}")).ToArray();
        // The nodes wait at 'soak-stop' from their start until the driver is done: the chaos and the checks.
        BarrierTimeout = ChaosSoakSpec.ChaosDuration() + TimeSpan.FromMinutes(10);
    }

    /// <summary>Mounts the tmpfs, runs the chaos (kills, restarts, freezes through the TestConductor) and checks.</summary>
    public RoleName Driver { get; }

    /// <summary>The six soak nodes, one per slot; a killed slot's next node is the role's next life.</summary>
    public RoleName[] Nodes { get; }
}

/// <summary>
/// Issue 10 §4, the chaos soak: six nodes in a full mesh on a private 64 MiB tmpfs, each streaming numbered messages
/// (8 B – 300 KB, the large ones fragmented over a 64 KiB ring) to every other through Akka remoting — five in
/// <c>auto</c> mode (shared memory between them), one in <c>fifo</c> mode (its five pairs run over FIFOs) — while
/// <see cref="ChaosDriver"/> kills, restarts, freezes, scribbles and fills, from a printed seed. Then every node is
/// restarted, every pair must flow again, and <see cref="SoakLedger"/> checks what the nodes printed. 60 s of chaos;
/// <c>IPC_LONG_TESTS=1</c> runs 10 minutes; <c>IPC_SOAK_SEED=n</c> replays a run's choices (timing permitting);
/// <c>IPC_SOAK_SECONDS=n</c> sets the chaos time (e.g. to try a change quickly). Root only (a tmpfs of its own,
/// /proc/pid/map_files): reported skipped otherwise.
/// </summary>
/// <remarks>
/// On the multi-node kit (ported from the NodeHost harness): each slot is a role (node0…node5) whose every life is a
/// process of that role: the driver role SIGKILLs it (TestConductor.Kill) and starts its next life
/// (TestConductor.Restart), on the same port or a new one (the port file). A node life runs its own soak ActorSystem
/// ("Soak{slot}") in the tmpfs (SoakNodeLife) and waits at 'soak-stop'; after the checks the driver enters it, every
/// live node terminates its soak system and they meet at 'soak-stopped', after which the driver checks the ERRORs and
/// the leftovers. Nodes and driver talk through files in the spec's directory (<see cref="SoakFiles"/>).
/// </remarks>
[Collection(MultiProcessCollection.Name)]
public sealed class ChaosSoakSpec : MultiNodeSpec
{
    internal static readonly string[] Modes = ["auto", "auto", "auto", "auto", "auto", "fifo"];
    private const int DefaultSeed = 20261125;
    private const int MessagesPerSecondPerPeer = 100;
    private const string RingSize = "64KiB"; // a 300 KB message is more than four rings' worth
    private const string MaxFrame = "512000b";
    private static readonly IReadOnlySet<int> Anchors = new HashSet<int> { 0, 1 }; // never killed: the survivors
    private static readonly TimeSpan FlowTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(60);

    // What a survivor may grow by between the baseline (20 s into the chaos; 60 s in the long run) and the end, both
    // taken with all six nodes up and every pair flowing. Measured in 60 s runs: threads -5..+4 (the .NET thread pool
    // breathes), descriptors other than assemblies 0, RSS -46..+29 MiB (the GC's timing). Assemblies the runtime
    // opens late (+9: the .dll/.pdb to print an exception's stack trace) are reported, not bounded.
    private const int ThreadGrowthBound = 12;
    private const int FdGrowthBound = 6;
    private const long RssGrowthBoundKiB = 96 * 1024;

    private readonly ChaosSoakConfig _config;
    private readonly ITestOutputHelper _output;

    public ChaosSoakSpec(ITestOutputHelper output) : this(new ChaosSoakConfig(), output)
    {
    }

    private ChaosSoakSpec(ChaosSoakConfig config, ITestOutputHelper output) : base(config, output)
    {
        _config = config;
        _output = output;
    }

    /// <summary>The chaos time: IPC_SOAK_SECONDS, else 10 minutes with IPC_LONG_TESTS=1, else 60 s.</summary>
    internal static TimeSpan ChaosDuration() =>
        int.TryParse(Environment.GetEnvironmentVariable("IPC_SOAK_SECONDS"), out int seconds) ? TimeSpan.FromSeconds(seconds)
        : Environment.GetEnvironmentVariable("IPC_LONG_TESTS") == "1" ? TimeSpan.FromMinutes(10) : TimeSpan.FromSeconds(60);

    // Long enough for IPC_SOAK_SECONDS up to about 50 minutes.
    [MultiNodeFact(Timeout = 4_000_000)]
    public void Six_nodes_under_chaos_keep_every_stream_in_order_see_every_kill_and_leave_nothing()
    {
        Skip.IfNot(Syscall.geteuid() == 0,
            $"CHAOS SOAK NOT RUN: it needs root (a real 64 MiB tmpfs of its own, /proc/pid/map_files); this run is uid {Syscall.geteuid()}");
        var files = new SoakFiles(Path.Combine(Path.GetDirectoryName(Sys.Settings.Config.GetString("akka.remote.ipc.directory"))!, "soak"));
        if (Life == 0)
        {
            IpcTestDirectory? directory = null;
            TmpfsMount? mount = null;
            RunOn(() =>
            {
                files.Create();
                directory = new IpcTestDirectory();
                mount = TmpfsMount.TryMount(directory.Path, "64m", out string whyNot);
                if (mount is null)
                    files.WriteSkip($"CHAOS SOAK NOT RUN: it needs a real 64 MiB tmpfs of its own and could not mount one: {whyNot}");
                else
                    files.WriteTmpfs(directory.Path);
            }, _config.Driver);
            EnterBarrier("mounted");
            if (files.SkipReason is { } reason)
            {
                directory?.Dispose();
                Skip.If(true, reason);
            }
            if (IsNode(_config.Driver))
            {
                RunDriverAsync(files, directory!, mount!).GetAwaiter().GetResult();
                return;
            }
        }
        int slot = Array.IndexOf(_config.Nodes, Myself);
        var life = SoakNodeLife.Start(files, slot, Life, Modes[slot], MessagesPerSecondPerPeer, RingSize, MaxFrame);
        EnterBarrier("soak-stop"); // a restarted life joins it: it is the barrier pending when it became ready
        life.Stop(StopLimit);
        EnterBarrier("soak-stopped");
    }

    private async Task RunDriverAsync(SoakFiles files, IpcTestDirectory directory, TmpfsMount mount)
    {
        using var _ = directory;
        using var __ = mount;
        bool isLong = Environment.GetEnvironmentVariable("IPC_LONG_TESTS") == "1";
        var chaos = ChaosDuration();
        var baselineAt = isLong ? TimeSpan.FromMinutes(1) : TimeSpan.FromSeconds(Math.Min(20, chaos.TotalSeconds / 3));
        int seed = int.TryParse(Environment.GetEnvironmentVariable("IPC_SOAK_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int s) ? s : DefaultSeed;
        _output.WriteLine($"chaos soak: seed {seed} (IPC_SOAK_SEED={seed} replays it), {chaos.TotalSeconds:F0} s of chaos");

        var failures = new List<string>();
        string loadBefore = ProcessVitals.LoadAverage();
        var cluster = new SoakCluster(files, TestConductor, _config.Nodes, Modes, _output);
        var ledger = new SoakLedger(cluster.All);
        for (int slot = 0; slot < Modes.Length; slot++)
            await cluster.AttachAsync(slot);
        await cluster.BroadcastPeersAsync();
        Assert.Empty(await WaitForEveryPairToFlowAsync(cluster, Stopwatch.GetTimestamp(), "warm-up"));
        foreach (var node in cluster.Live.Where(n => n.Mode != "fifo"))
            Assert.True(SegmentScribbler.Segments(node.Node.ProcessId, directory.Path).Count >= 4,
                $"{node} maps fewer than 4 segments: its pairs with the other auto nodes do not run over shared memory");

        var baseline = new Dictionary<SoakIncarnation, ProcessVitals>();
        var driver = new ChaosDriver(cluster, ledger, new Random(seed), directory.Path, Anchors, _output);
        await driver.RunAsync(chaos, baselineAt, async () =>
        {
            // The same shape as at the end (all six up, every pair flowing), so the two samples compare like with like.
            failures.AddRange(await RecoverAsync(cluster, ledger, "baseline"));
            foreach (var node in cluster.Live)
                baseline[node] = ProcessVitals.Read(node.Node.ProcessId);
        });
        failures.AddRange(await RecoverAsync(cluster, ledger, "recovery"));

        var survivors = baseline.Keys.Where(n => n.Alive).ToList();
        Assert.Contains(survivors, n => Anchors.Contains(n.Slot));
        foreach (var node in survivors)
            CheckVitals(node, baseline[node], ProcessVitals.Read(node.Node.ProcessId), failures);

        failures.AddRange(ledger.Verify());
        // Every live node terminates its soak system (a role that cannot fails the run), then the rest is checked.
        await EnterBarrierAsync("soak-stop");
        await EnterBarrierAsync("soak-stopped");
        cluster.MarkAllStopped();
        foreach (var node in cluster.All)
        {
            failures.AddRange(node.Node.OutputLines.Where(l => l.StartsWith(ErrorReporter.UnexpectedMarker, StringComparison.Ordinal))
                .Select(e => $"{node} logged an unexpected ERROR: {e}"));
        }
        var leftovers = directory.LeftoverEntries();
        if (leftovers.Count > 0)
            failures.Add($"left behind in {directory.Path} and /dev/shm: {string.Join(", ", leftovers)}");

        _output.WriteLine($"SOAK FIGURES (seed {seed}, load average {loadBefore} before, {ProcessVitals.LoadAverage()} after): " + ledger.Figures(chaos));
        Assert.True(failures.Count == 0, $"{failures.Count} soak check(s) failed (seed {seed}):{Environment.NewLine}"
            + string.Join(Environment.NewLine, failures.Take(40)));
    }

    /// <summary>Everyone back (dead slots restarted on new ports), then every pair flowing again: re-association
    /// after restarts and scribbles works.</summary>
    private async Task<IEnumerable<string>> RecoverAsync(SoakCluster cluster, SoakLedger ledger, string phase)
    {
        for (int slot = 0; slot < cluster.Slots; slot++)
        {
            if (cluster[slot] is null)
            {
                await cluster.StartAsync(slot, 0);
                ledger.RestartsOnNewPort++;
            }
        }
        await cluster.BroadcastPeersAsync();
        return await WaitForEveryPairToFlowAsync(cluster, Stopwatch.GetTimestamp(), phase);
    }

    private void CheckVitals(SoakIncarnation node, ProcessVitals before, ProcessVitals after, List<string> failures)
    {
        _output.WriteLine($"SOAK VITALS {node}: baseline {before}; end {after}; drift {after.Threads - before.Threads:+0;-0;0} threads, "
            + $"{after.OpenFds - before.OpenFds:+0;-0;0} fds ({string.Join(", ", before.FdsAddedIn(after))}), {(after.RssKiB - before.RssKiB) / 1024.0:+0.0;-0.0;0} MiB");
        if (after.Threads > before.Threads + ThreadGrowthBound)
            failures.Add($"{node}: threads grew from {before.Threads} to {after.Threads} (bound +{ThreadGrowthBound})");
        if (after.NonAssemblyFds > before.NonAssemblyFds + FdGrowthBound)
            failures.Add($"{node}: open descriptors (other than assemblies) grew from {before.NonAssemblyFds} to {after.NonAssemblyFds} (bound +{FdGrowthBound}): {string.Join(", ", before.FdsAddedIn(after))}");
        if (after.RssKiB > before.RssKiB + RssGrowthBoundKiB)
            failures.Add($"{node}: RSS grew from {before.RssKiB / 1024} MiB to {after.RssKiB / 1024} MiB (bound +{RssGrowthBoundKiB / 1024} MiB)");
    }

    /// <summary>
    /// Waits until, for every live receiver and every other live node, a SOAK-STATS line printed after
    /// <paramref name="since"/> shows more messages from that node than a line at least 2 s earlier (also after
    /// <paramref name="since"/>): every ordered pair is delivering now.
    /// </summary>
    /// <returns>Empty when every pair delivers, otherwise the failure naming the pairs that do not.</returns>
    private async Task<List<string>> WaitForEveryPairToFlowAsync(SoakCluster cluster, long since, string phase)
    {
        var clock = Stopwatch.StartNew();
        long window = SoakLine.Ticks(TimeSpan.FromSeconds(2));
        List<string> stalled;
        do
        {
            await Task.Delay(1000);
            stalled = [];
            foreach (var receiver in cluster.Live)
            {
                var stats = SoakLine.Of(receiver.Node.OutputLines).Where(l => l.Kind == SoakLine.Stats && l.Timestamp >= since).ToList();
                var latest = stats.LastOrDefault();
                var earlier = latest is null ? null : stats.LastOrDefault(l => l.Timestamp <= latest.Timestamp - window);
                foreach (var sender in cluster.Live.Where(n => n != receiver))
                {
                    long now = latest?.Counts().GetValueOrDefault(sender.Address) ?? 0;
                    long then = earlier?.Counts().GetValueOrDefault(sender.Address) ?? long.MaxValue;
                    if (now <= then)
                        stalled.Add($"{sender.Slot}→{receiver.Slot}");
                }
            }
        }
        while (stalled.Count > 0 && clock.Elapsed < FlowTimeout);
        if (stalled.Count > 0)
            return [$"{phase}: these pairs (sender→receiver) did not deliver within {FlowTimeout.TotalSeconds} s: {string.Join(", ", stalled)}"];
        _output.WriteLine($"[soak] {phase}: all {cluster.Live.Count() * (cluster.Live.Count() - 1)} ordered pairs deliver ({clock.Elapsed.TotalSeconds:F0} s)");
        return [];
    }
}
