using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Transport.Ipc.TestKit;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Soak;

/// <summary>One life of a soak node: from its start to its SIGKILL or its clean stop.</summary>
internal sealed class SoakIncarnation(int slot, int number, int life, SoakLifeOutput node, string mode, string address, long startTimestamp)
{
    public int Slot { get; } = slot;

    /// <summary>Counts every start in the run, so "node 3, life 2" is told apart from "node 3, life 1".</summary>
    public int Number { get; } = number;

    /// <summary>The role's life (MultiNodeSpec.Life) this incarnation runs in.</summary>
    public int Life { get; } = life;

    public SoakLifeOutput Node { get; } = node;

    public string Mode { get; } = mode;

    public string Address { get; } = address;

    public int Port { get; } = Akka.Actor.Address.Parse(address).Port!.Value;

    /// <summary>Stopwatch timestamp (CLOCK_MONOTONIC) taken just before its ActorSystem was created.</summary>
    public long StartTimestamp { get; } = startTimestamp;

    /// <summary>Stopwatch timestamp of the SIGKILL; null while it lives or when it was stopped cleanly.</summary>
    public long? KilledAt { get; set; }

    /// <summary>Stopwatch timestamp once the killed process was reaped (its descriptors closed by the kernel).</summary>
    public long? ReapedAt { get; set; }

    public bool Stopped { get; set; }

    public bool Alive => KilledAt is null && !Stopped;

    public bool AliveAt(long timestamp) => StartTimestamp <= timestamp && (KilledAt is not { } k || timestamp < k);

    public override string ToString() => $"node {Slot} life #{Number} ({Address}, pid {Node.ProcessId}, {Mode})";
}

/// <summary>
/// The driver's view of the soak's six node roles in their slots: kills them and restarts them (a new life of the
/// role, on the same port or a new one) through the TestConductor, tells every live node whom to stream to (the
/// peers file) and reads what each life printed (its output file); see <see cref="SoakFiles"/>.
/// </summary>
internal sealed class SoakCluster(SoakFiles files, TestConductor conductor, IReadOnlyList<RoleName> roles, string[] modes, ITestOutputHelper output)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private readonly List<SoakIncarnation> _all = [];
    private readonly SoakIncarnation?[] _current = new SoakIncarnation?[modes.Length];
    private readonly int[] _lives = new int[modes.Length];
    private int _peersVersion;

    public int Slots => modes.Length;

    /// <summary>Every life so far, in start order.</summary>
    public IReadOnlyList<SoakIncarnation> All => _all;

    public IEnumerable<SoakIncarnation> Live => _current.OfType<SoakIncarnation>();

    /// <summary>The live incarnation of a slot, or null while it is dead.</summary>
    public SoakIncarnation? this[int slot] => _current[slot];

    /// <summary>The port a slot's last life listened on.</summary>
    public int LastPort(int slot) => _all.Last(i => i.Slot == slot).Port;

    /// <summary>Waits until the slot's current life (its first one, started with the run) has its system up.</summary>
    public Task<SoakIncarnation> AttachAsync(int slot) => AwaitLifeAsync(slot, _lives[slot]);

    /// <summary>Starts a dead slot's next life on <paramref name="port"/> (0 = any free port) and waits until its system is up.</summary>
    public async Task<SoakIncarnation> StartAsync(int slot, int port)
    {
        if (_current[slot] is not null)
            throw new InvalidOperationException($"slot {slot} is already running {_current[slot]}");
        files.WritePort(slot, port);
        await conductor.Restart(roles[slot]);
        return await AwaitLifeAsync(slot, ++_lives[slot]);
    }

    /// <summary>Tells every live node to stream to every other live node (and to no one else), and waits until each has.</summary>
    public async Task BroadcastPeersAsync()
    {
        int version = ++_peersVersion;
        var live = Live.ToList();
        files.WritePeers(version, live.Select(n => n.Address));
        string applied = $" {version.ToString(CultureInfo.InvariantCulture)}";
        await Task.WhenAll(live.Select(n => WaitForAsync(n.Node,
            l => l.StartsWith("SOAK-PEERS-APPLIED ", StringComparison.Ordinal) && l.EndsWith(applied, StringComparison.Ordinal),
            $"{n} to apply peers version {version}")));
    }

    /// <summary>SIGKILL through the conductor; returns the Stopwatch timestamp of the signal.</summary>
    public async Task<long> KillAsync(int slot)
    {
        var victim = _current[slot] ?? throw new InvalidOperationException($"slot {slot} is not running");
        _current[slot] = null;
        long at = await conductor.Kill(roles[slot]); // completes once the process is gone (reaped)
        victim.KilledAt = at;
        victim.ReapedAt = Stopwatch.GetTimestamp();
        return at;
    }

    public Task FreezeAsync(SoakIncarnation node) => conductor.Freeze(roles[node.Slot]);

    public Task ThawAsync(SoakIncarnation node) => conductor.Thaw(roles[node.Slot]);

    /// <summary>The live nodes have stopped cleanly (after the 'soak-stop' barrier).</summary>
    public void MarkAllStopped()
    {
        foreach (var node in Live.ToList())
        {
            node.Stopped = true;
            _current[node.Slot] = null;
        }
    }

    private async Task<SoakIncarnation> AwaitLifeAsync(int slot, int life)
    {
        var lifeOutput = new SoakLifeOutput(files.OutputOf(slot, life));
        string line = await WaitForAsync(lifeOutput, l => l.StartsWith("SOAK-LIFE ", StringComparison.Ordinal), $"node {slot} life {life} to start");
        // "SOAK-LIFE ts address pid"
        var parts = line.Split(' ');
        lifeOutput.ProcessId = int.Parse(parts[3], CultureInfo.InvariantCulture);
        var incarnation = new SoakIncarnation(slot, _all.Count + 1, life, lifeOutput, modes[slot], parts[2],
            long.Parse(parts[1], CultureInfo.InvariantCulture));
        _all.Add(incarnation);
        _current[slot] = incarnation;
        output.WriteLine($"[soak] {incarnation} is up");
        return incarnation;
    }

    private static async Task<string> WaitForAsync(SoakLifeOutput node, Func<string, bool> match, string what)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < CommandTimeout)
        {
            if (node.OutputLines.FirstOrDefault(match) is { } line)
                return line;
            await Task.Delay(50);
        }
        throw new TimeoutException($"waited {CommandTimeout.TotalSeconds} s for {what}");
    }
}
