using System.Diagnostics;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Soak;

/// <summary>
/// The soak's chaos, one action at a time from a seeded <see cref="Random"/>: SIGKILL a node (never an anchor,
/// at most two dead at once), restart a dead one (same port or a new one), SIGSTOP one for 0.3–3 s then SIGCONT,
/// scribble on a live segment, or fill the tmpfs for 2–4 s. Actions run one after another, so a kill never falls
/// while a node is frozen (that node would see it only after SIGCONT), and a restart never while the tmpfs is full
/// (it could not write its lock file). Every action goes into the
/// <see cref="SoakLedger"/>; a node that exits without being killed fails the run at once (the kit fails a role whose
/// process ends unexpectedly; the driver also checks that every live node's process is still there).
/// </summary>
internal sealed class ChaosDriver(SoakCluster cluster, SoakLedger ledger, Random random, string directory,
    IReadOnlySet<int> anchors, ITestOutputHelper output)
{
    /// <summary>
    /// At most one fill per this period. A fill may fall at any time: associations set up while the tmpfs is full
    /// cannot reserve their segment (posix_fallocate fails with ENOSPC) and run over FIFOs in mode = auto.
    /// </summary>
    private static readonly TimeSpan FillQuietPeriod = TimeSpan.FromSeconds(10);

    /// <summary>
    /// No kill this soon after a SIGCONT: the thawed node first works off what queued up for it while it was stopped
    /// (it is not frozen any more, but it is not yet a fair witness of a 250 ms detection bound either).
    /// </summary>
    private static readonly TimeSpan ThawPeriod = TimeSpan.FromSeconds(2);

    /// <summary>
    /// No SIGSTOP of a node this soon after its start. Seen once in a 10-minute run (seed 20261125): a node restarted
    /// on its old port and stopped 2.5 s while its peers were still replacing the old incarnation's endpoint left one
    /// pair (node 1 ↔ node 5, a FIFO pair) that never exchanged a message again: the transport held both associations
    /// open, one side's Akka had dropped its endpoint ("Removing receive buffers") and sent every later message to
    /// dead letters, with no gate or quarantine logged. That stall is Akka.Remote's: the same restart, simultaneous
    /// association and freeze stall one direction over dot-netty.tcp too (README, Troubleshooting), so the soak,
    /// which checks this transport, does not freeze a node during its first associations.
    /// </summary>
    private static readonly TimeSpan StartPeriod = TimeSpan.FromSeconds(10);

    private long _lastThaw;
    private long _lastFill = Stopwatch.GetTimestamp();

    /// <summary>Runs the chaos for <paramref name="duration"/>; once, at <paramref name="baselineAt"/>, pauses it for <paramref name="onBaseline"/>.</summary>
    public async Task RunAsync(TimeSpan duration, TimeSpan baselineAt, Func<Task> onBaseline)
    {
        var clock = Stopwatch.StartNew();
        bool baselineTaken = false;
        while (clock.Elapsed < duration)
        {
            ThrowIfAnyoneDied();
            if (!baselineTaken && clock.Elapsed >= baselineAt)
            {
                baselineTaken = true;
                await onBaseline();
            }

            var dead = Enumerable.Range(0, cluster.Slots).Where(s => cluster[s] is null).ToList();
            var killable = cluster.Live.Where(n => !anchors.Contains(n.Slot)).ToList();
            // Weighted choice among the actions possible right now.
            var actions = new List<(double Weight, Func<Task> Run)> { (2, FreezeAsync), (1.5, ScribbleAsync) };
            if (dead.Count < 2 && killable.Count > 0 && Stopwatch.GetElapsedTime(_lastThaw) >= ThawPeriod)
                actions.Add((4, () => KillAsync(killable[random.Next(killable.Count)])));
            if (dead.Count > 0)
                actions.Add((3, () => RestartAsync(dead[random.Next(dead.Count)])));
            if (Stopwatch.GetElapsedTime(_lastFill) >= FillQuietPeriod)
                actions.Add((1.5, FillAsync));
            double roll = random.NextDouble() * actions.Sum(a => a.Weight);
            var action = actions.First(a => (roll -= a.Weight) < 0 || a == actions[^1]);
            await action.Run();
            await Task.Delay(random.Next(300, 1200));
        }
        ThrowIfAnyoneDied();
    }

    private async Task KillAsync(SoakIncarnation victim)
    {
        ledger.Kills.Add(new SoakLedger.Kill(victim, await cluster.KillAsync(victim.Slot)));
        output.WriteLine($"[chaos] SIGKILL {victim}");
    }

    private async Task RestartAsync(int slot)
    {
        bool samePort = random.Next(2) == 0;
        var node = await cluster.StartAsync(slot, samePort ? cluster.LastPort(slot) : 0);
        await cluster.BroadcastPeersAsync();
        if (samePort)
            ledger.RestartsOnSamePort++;
        else
            ledger.RestartsOnNewPort++;
        output.WriteLine($"[chaos] restarted {node}");
    }

    private async Task FreezeAsync()
    {
        var live = cluster.Live.Where(n => Stopwatch.GetElapsedTime(n.StartTimestamp) >= StartPeriod).ToList();
        if (live.Count == 0)
            return;
        var node = live[random.Next(live.Count)];
        var duration = TimeSpan.FromMilliseconds(random.Next(300, 3000));
        long from = Stopwatch.GetTimestamp();
        await cluster.FreezeAsync(node);
        try
        {
            await Task.Delay(duration);
        }
        finally
        {
            await cluster.ThawAsync(node);
            _lastThaw = Stopwatch.GetTimestamp();
            ledger.Freezes.Add(new SoakLedger.Freeze(node, from, _lastThaw));
        }
        output.WriteLine($"[chaos] froze {node} for {duration.TotalMilliseconds:F0} ms");
    }

    private Task ScribbleAsync()
    {
        var candidates = cluster.Live.Where(n => n.Mode != "fifo").ToList();
        var mapper = candidates[random.Next(candidates.Count)];
        var segments = SegmentScribbler.Segments(mapper.Node.ProcessId, directory);
        var marks = cluster.Live.ToDictionary(n => n, n => n.Node.OutputLines.Count);
        long at = Stopwatch.GetTimestamp();
        var hit = segments.Count == 0 ? null : SegmentScribbler.Scribble(mapper.Node.ProcessId, segments[random.Next(segments.Count)], random);
        if (hit is null)
        {
            ledger.ScribblesMissed++;
            output.WriteLine($"[chaos] {mapper} had no segment to scribble on");
            return Task.CompletedTask;
        }
        var a = cluster.Live.FirstOrDefault(n => n.Port == hit.ClientPort);
        var b = cluster.Live.FirstOrDefault(n => n.Port == hit.ServerPort);
        ledger.Scribbles.Add(new SoakLedger.Scribble(at, mapper, a, b, SegmentScribbler.Describe(hit), marks));
        output.WriteLine($"[chaos] scribbled on {SegmentScribbler.Describe(hit)} through {mapper}");
        return Task.CompletedTask;
    }

    private async Task FillAsync()
    {
        var held = TimeSpan.FromMilliseconds(random.Next(2000, 4000));
        long at = Stopwatch.GetTimestamp();
        using (var filler = TmpfsFiller.Fill(Path.Combine(directory, "soak-filler")))
        {
            output.WriteLine($"[chaos] filled the tmpfs with {filler.Bytes / 1024 / 1024} MiB; holding it full for {held.TotalMilliseconds:F0} ms");
            ledger.Fills.Add((at, filler.Bytes, held));
            await Task.Delay(held);
        }
        _lastFill = Stopwatch.GetTimestamp();
    }

    private void ThrowIfAnyoneDied()
    {
        var died = cluster.Live.Where(n => !Directory.Exists($"/proc/{n.Node.ProcessId}")).ToList();
        if (died.Count > 0)
            throw new Xunit.Sdk.XunitException("a node that was not killed exited: " + string.Join("; ", died));
    }
}
