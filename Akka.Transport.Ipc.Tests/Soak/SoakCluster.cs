using System.Diagnostics;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.NodeHost;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Soak;

/// <summary>One life of a soak node: from its start to its SIGKILL or its clean stop.</summary>
internal sealed class SoakIncarnation(int slot, int number, NodeProcess node, string mode, long startTimestamp)
{
    public int Slot { get; } = slot;

    /// <summary>Counts every start in the run, so "node 3, life 2" is told apart from "node 3, life 1".</summary>
    public int Number { get; } = number;

    public NodeProcess Node { get; } = node;

    public string Mode { get; } = mode;

    public string Address { get; } = node.Address.ToString();

    public int Port { get; } = node.Address.Port!.Value;

    /// <summary>Stopwatch timestamp (CLOCK_MONOTONIC) taken just before the process was started.</summary>
    public long StartTimestamp { get; } = startTimestamp;

    /// <summary>Stopwatch timestamp taken just before SIGKILL; null while it lives or when it was stopped cleanly.</summary>
    public long? KilledAt { get; set; }

    /// <summary>Stopwatch timestamp once the killed process was reaped (its descriptors closed by the kernel).</summary>
    public long? ReapedAt { get; set; }

    public bool Stopped { get; set; }

    public bool Alive => KilledAt is null && !Stopped;

    public bool AliveAt(long timestamp) => StartTimestamp <= timestamp && (KilledAt is not { } k || timestamp < k);

    public override string ToString() => $"node {Slot} life #{Number} ({Address}, pid {Node.ProcessId}, {Mode})";
}

/// <summary>
/// The soak's six NodeHost processes in their slots: starts, SIGKILLs and restarts them (same port or a new one),
/// and tells every live node whom to stream to. Everything it starts is killed on dispose.
/// </summary>
internal sealed class SoakCluster(string directory, string ringSize, string maxFrame, int rate, string[] modes, ITestOutputHelper output)
    : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private readonly List<SoakIncarnation> _all = [];
    private readonly SoakIncarnation?[] _current = new SoakIncarnation?[modes.Length];

    public int Slots => modes.Length;

    /// <summary>Every life so far, in start order.</summary>
    public IReadOnlyList<SoakIncarnation> All => _all;

    public IEnumerable<SoakIncarnation> Live => _current.OfType<SoakIncarnation>();

    /// <summary>The live incarnation of a slot, or null while it is dead.</summary>
    public SoakIncarnation? this[int slot] => _current[slot];

    /// <summary>The port a slot's last life listened on.</summary>
    public int LastPort(int slot) => _all.Last(i => i.Slot == slot).Port;

    /// <summary>Starts a node in a free slot and begins its streams (port 0 = any free port).</summary>
    public async Task<SoakIncarnation> StartAsync(int slot, int port)
    {
        if (_current[slot] is not null)
            throw new InvalidOperationException($"slot {slot} is already running {_current[slot]}");
        long started = Stopwatch.GetTimestamp();
        var node = await NodeProcess.StartAsync(
            new NodeOptions(directory, port, $"Soak{slot}", ringSize, maxFrame, modes[slot]), output);
        var incarnation = new SoakIncarnation(slot, _all.Count + 1, node, modes[slot], started);
        _all.Add(incarnation);
        _current[slot] = incarnation;
        await node.RequestAsync($"SOAK-START {rate}", "SOAK-STARTED", CommandTimeout);
        return incarnation;
    }

    /// <summary>Tells every live node to stream to every other live node (and to no one else).</summary>
    public Task BroadcastPeersAsync() => Task.WhenAll(Live.Select(node =>
        node.Node.RequestAsync(
            "SOAK-PEERS " + string.Join(' ', Live.Where(n => n != node).Select(n => n.Address)),
            "SOAK-PEERS", CommandTimeout)));

    /// <summary>SIGKILL; returns the Stopwatch timestamp taken just before the signal.</summary>
    public long Kill(int slot)
    {
        var victim = _current[slot] ?? throw new InvalidOperationException($"slot {slot} is not running");
        long at = Stopwatch.GetTimestamp();
        if (Mono.Unix.Native.Syscall.kill(victim.Node.ProcessId, Mono.Unix.Native.Signum.SIGKILL) != 0)
            throw new InvalidOperationException($"kill -9 {victim.Node.ProcessId} failed: {Mono.Unix.Native.Stdlib.GetLastError()}");
        victim.KilledAt = at;
        _current[slot] = null;
        victim.Node.Kill(); // reaps it and marks it as killed on purpose
        victim.ReapedAt = Stopwatch.GetTimestamp();
        return at;
    }

    /// <summary>Asks every live node to stop cleanly (all at once) and returns the exit codes.</summary>
    public async Task<IReadOnlyList<(SoakIncarnation Node, int ExitCode)>> StopAllAsync()
    {
        var live = Live.ToList();
        var codes = await Task.WhenAll(live.Select(async n => (n, await n.Node.StopAsync(TimeSpan.FromSeconds(60)))));
        foreach (var node in live)
        {
            node.Stopped = true;
            _current[node.Slot] = null;
        }
        return codes;
    }

    /// <summary>
    /// Kills whatever still runs. NodeProcess.Dispose also complains about unexpected ERROR events and nodes left
    /// running; the test checks the errors itself (with its other findings), so here they are only logged, and
    /// every node is disposed whatever one of them says.
    /// </summary>
    public void Dispose()
    {
        foreach (var incarnation in _all)
        {
            try
            {
                incarnation.Node.Dispose();
            }
            catch (Xunit.Sdk.XunitException e)
            {
                output.WriteLine($"[soak] disposing {incarnation}: {e.Message}");
            }
        }
    }
}
