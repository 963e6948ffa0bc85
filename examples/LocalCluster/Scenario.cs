using System.Diagnostics;
using System.Globalization;

namespace LocalCluster;

/// <summary>
/// One round: three co-located nodes and a remote one form a cluster, the channels are shown from the kernel's view
/// and checked, one co-located node is SIGKILLed and the time until every survivor has removed it is measured.
/// </summary>
internal sealed class Scenario(Options options, Stopwatch clock, CancellationToken cancel)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan FormTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ChannelTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan RemoveTimeout = TimeSpan.FromSeconds(60);

    public const string Victim = "node2";

    /// <summary>How long the survivors took: the first "unreachable" (if any came before removal) and the last "removed".</summary>
    public sealed record Result(bool DownDeadPeers, TimeSpan? FirstUnreachable, TimeSpan AllRemoved);

    /// <summary>Runs the round with <paramref name="nodes"/> (filled as they start, so the caller can stop them on any path).</summary>
    public async Task<Result> RunAsync(bool downDeadPeers, string localDirectory, string remoteDirectory, List<NodeProcess> nodes)
    {
        Console.WriteLine($"  co-located nodes: IPC directory {localDirectory}");
        Console.WriteLine($"  remote node: IPC directory {remoteDirectory} (so it is 'on another host': reached over TCP)");
        var started = clock.Elapsed;
        var seed = Start("node1", localDirectory, "self", downDeadPeers, nodes);
        await seed.WaitForAddressAsync(StartTimeout, cancel);
        foreach (var (name, directory) in new[] { ("node2", localDirectory), ("node3", localDirectory), ("remote", remoteDirectory) })
            Start(name, directory, seed.Address, downDeadPeers, nodes);
        foreach (var node in nodes.Skip(1))
            await node.WaitForAddressAsync(StartTimeout, cancel);
        foreach (var node in nodes)
            Console.WriteLine($"  {node.Name,-7} {node.Address,-42} pid {node.Pid}");

        // Every node sees all four Up.
        var addresses = nodes.Select(n => n.Address).ToHashSet();
        await Task.WhenAll(nodes.Select(async node =>
        {
            var up = new HashSet<string>();
            while (!addresses.IsSubsetOf(up))
                up.Add((await node.NextAsync(r => r.What == "up", "all four members up", FormTimeout, cancel)).Address);
        }));
        Console.WriteLine($"  cluster formed: every node sees 4 members up, {Seconds(clock.Elapsed - started)} after the first start");

        await ShowChannelsAsync(nodes);
        return await KillAndMeasureAsync(downDeadPeers, nodes);
    }

    private NodeProcess Start(string name, string directory, string seed, bool downDeadPeers, List<NodeProcess> nodes)
    {
        var node = NodeProcess.Start(name, directory, seed, downDeadPeers, options.Verbose, clock);
        nodes.Add(node);
        return node;
    }

    /// <summary>
    /// Waits until every pair of nodes has an association the kernel can see (heartbeats open them all), prints it,
    /// and fails unless co-located pairs share memory without TCP and pairs with the remote node use TCP only.
    /// </summary>
    private async Task ShowChannelsAsync(List<NodeProcess> nodes)
    {
        var processes = nodes.Select(n => new KernelView.Process(n.Name, n.Pid, Akka.Actor.Address.Parse(n.Address).Port!.Value)).ToList();
        var pairs = (from i in Enumerable.Range(0, processes.Count) from j in Enumerable.Range(i + 1, processes.Count - i - 1)
                     select (A: processes[i], B: processes[j])).ToList();
        static bool Remote(KernelView.Process p) => p.Name == "remote";
        static bool AsExpected((KernelView.Process A, KernelView.Process B) pair, KernelView.Link link) =>
            Remote(pair.A) || Remote(pair.B) ? link.IsTcp && !link.IsSharedMemory : link.IsSharedMemory && !link.IsTcp;

        var deadline = clock.Elapsed + ChannelTimeout;
        List<KernelView.Link> links;
        while (true)
        {
            links = pairs.Select(p => KernelView.Between(p.A, p.B)).ToList();
            if (pairs.Select((p, i) => AsExpected(p, links[i])).All(ok => ok) || clock.Elapsed > deadline)
                break;
            await Task.Delay(250, cancel);
        }
        Console.WriteLine("  channels, as the kernel sees them (/proc/<pid>/maps, /proc/<pid>/fd, /proc/net/tcp):");
        var wrong = new List<string>();
        for (int i = 0; i < pairs.Count; i++)
        {
            var (a, b) = pairs[i];
            Console.WriteLine($"    {a.Name,-6} <-> {b.Name,-7} {links[i].Describe()}");
            if (!AsExpected(pairs[i], links[i]))
                wrong.Add($"{a.Name} <-> {b.Name}: expected {(Remote(a) || Remote(b) ? "TCP only" : "shared memory only")}, found {links[i].Describe()}");
        }
        if (wrong.Count > 0)
            throw new InvalidOperationException("unexpected channels: " + string.Join("; ", wrong));
    }

    private async Task<Result> KillAndMeasureAsync(bool downDeadPeers, List<NodeProcess> nodes)
    {
        cancel.ThrowIfCancellationRequested(); // stopped meanwhile: kill nothing more
        var victim = nodes.Single(n => n.Name == Victim);
        var survivors = nodes.Where(n => n != victim).ToList();
        Console.WriteLine($"  SIGKILL {victim.Name} (pid {victim.Pid})");
        var killedAt = clock.Elapsed;
        victim.Kill();
        var seen = await Task.WhenAll(survivors.Select(async node =>
        {
            TimeSpan? unreachable = null;
            while (true)
            {
                var report = await node.NextAsync(r => r.Address == victim.Address && r.What is "unreachable" or "removed",
                    $"{victim.Name} removed", RemoveTimeout, cancel);
                if (report.What == "removed")
                    return (Node: node.Name, Unreachable: unreachable, Removed: report.At - killedAt);
                unreachable ??= report.At - killedAt;
            }
        }));
        Console.WriteLine("    unreachable: " + string.Join(", ", seen.Select(s => $"{s.Node} {(s.Unreachable is { } u ? Seconds(u) : "-")}")));
        Console.WriteLine("    removed:     " + string.Join(", ", seen.Select(s => $"{s.Node} {Seconds(s.Removed)}")));
        var result = new Result(downDeadPeers, seen.Min(s => s.Unreachable), seen.Max(s => s.Removed));
        Console.WriteLine($"  {victim.Name} removed from the cluster {Seconds(result.AllRemoved)} after SIGKILL (seen by every survivor)");
        return result;
    }

    public static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture) + " s";
}
