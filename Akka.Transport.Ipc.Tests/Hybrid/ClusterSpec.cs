using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Transport.Ipc.Diagnostics;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.NodeHost;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Hybrid;

/// <summary>
/// Akka.Cluster specs whose members are NodeHost children (each its own process, <c>--cluster on</c>, one system name,
/// 127.0.0.1 and port 0 unless a test restarts a member on its port): hybrid members in this test's IPC directories,
/// plain dot-netty members. The first member started without a seed joins itself; the others join its address, read
/// from its ADDRESS line. Downing is Akka's default, stated in <see cref="IpcHocon.Cluster"/> (split-brain resolver,
/// stable-after 20 s). The test's own ActorSystem (akka.ipc, in <see cref="MultiProcessTestKit.IpcDirectory"/>) is
/// not a member.
/// </summary>
public abstract class ClusterSpec(ITestOutputHelper output) : MultiProcessTestKit(output)
{
    protected const string SystemName = "Sys";
    protected static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Starts a cluster member: <paramref name="kind"/> per <see cref="NodeKinds"/>, in <paramref name="directory"/>
    /// (hybrid only; any for tcp), joining <paramref name="seed"/> or itself.
    /// </summary>
    protected Task<NodeProcess> StartMemberAsync(string label, string kind, IpcTestDirectory directory, NodeProcess? seed,
        int port = 0, string downDeadPeers = "", string heartbeatPause = "", string allowedErrors = "") =>
        StartNodeAsync(new NodeOptions(directory.Path, port, SystemName, RingSize, MaxFrame, Mode, ShmDirectory, allowedErrors,
            kind, Cluster: true, Seed: seed?.Address.ToString() ?? "self", DownDeadPeers: downDeadPeers, HeartbeatPause: heartbeatPause), label);

    /// <summary>A plain akka.ipc node (not a member) in <paramref name="directory"/>: its start sweeps what killed endpoints left there.</summary>
    protected Task<NodeProcess> StartSweeperAsync(IpcTestDirectory directory, string label) =>
        StartNodeAsync(new NodeOptions(directory.Path, 0, "Sweeper", RingSize, MaxFrame, Mode, ShmDirectory), label);

    /// <summary><paramref name="observer"/>'s view of the cluster: address → (status, uid).</summary>
    protected static async Task<IReadOnlyDictionary<Address, (string Status, int Uid)>> MembersAsync(NodeProcess observer)
    {
        string answer = await observer.RequestAsync("MEMBERS", "MEMBERS", StepTimeout);
        var members = new Dictionary<Address, (string, int)>();
        foreach (var entry in answer.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            // address/status/uid; the address itself contains "//".
            int uidAt = entry.LastIndexOf('/');
            int statusAt = entry.LastIndexOf('/', uidAt - 1);
            members[Address.Parse(entry[..statusAt])] = (entry[(statusAt + 1)..uidAt], int.Parse(entry[(uidAt + 1)..], CultureInfo.InvariantCulture));
        }
        return members;
    }

    /// <summary>
    /// Waits until every one of <paramref name="members"/> sees exactly these members' addresses, all Up (and, for
    /// the addresses in <paramref name="notUid"/>, an incarnation other than the given uid); fails naming each view.
    /// </summary>
    protected async Task AwaitAllUpAsync(NodeProcess[] members, TimeSpan timeout, IReadOnlyDictionary<Address, int>? notUid = null)
    {
        var expected = members.Select(m => m.Address).ToHashSet();
        var stopwatch = Stopwatch.StartNew();
        var views = new List<string>();
        while (true)
        {
            views.Clear();
            bool allUp = true;
            foreach (var observer in members)
            {
                var view = await MembersAsync(observer);
                views.Add($"{observer.Address}: {string.Join(", ", view.Select(v => $"{v.Key} {v.Value.Status} uid {v.Value.Uid}"))}");
                allUp &= view.Count == expected.Count && expected.All(a => view.TryGetValue(a, out var m) && m.Status == "Up"
                    && (notUid is null || !notUid.TryGetValue(a, out int old) || m.Uid != old));
            }
            if (allUp)
            {
                TestOutput.WriteLine($"all {members.Length} members Up on every member after {stopwatch.Elapsed.TotalSeconds:F1} s");
                return;
            }
            Assert.True(stopwatch.Elapsed < timeout, $"not every member saw all {members.Length} Up within {timeout}:{Environment.NewLine}"
                + string.Join(Environment.NewLine, views));
            await Task.Delay(250);
        }
    }

    /// <summary>
    /// Every ordered pair of <paramref name="nodes"/>: <paramref name="count"/> numbered byte[] payloads (8 B – 100 000 B,
    /// under dot-netty's 128000-byte frame), all senders at once, each spread over at least count / 3 ms, each stream's
    /// order, completeness and content checked by its receiver.
    /// </summary>
    protected async Task ExchangeAllPairsAsync(int count, params NodeProcess[] nodes)
    {
        var runs = nodes.Select(from => from.RequestAsync(
            $"PAYLOADS {count} {MaxPayload} {count / 3} {string.Join(' ', nodes.Where(to => to != from).Select(to => to.Address))}",
            "PAYLOADS-DONE", StepTimeout));
        foreach (var done in await Task.WhenAll(runs))
            Assert.StartsWith($"PAYLOADS-DONE {count} ", done);
    }

    /// <summary>Largest payload of the exchanges: under dot-netty's default maximum-frame-size (128000b) with room for Akka's envelope.</summary>
    protected const int MaxPayload = 100_000;

    /// <summary>Time from <paramref name="fromTicks"/> to the ticks ending a timed event line (WATCH-TIMED, MEMBER-*).</summary>
    protected static TimeSpan Since(long fromTicks, string timedLine) =>
        Stopwatch.GetElapsedTime(fromTicks, long.Parse(timedLine[(timedLine.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    /// <summary>
    /// The transport's own word: the open IPC associations (peer, channel) that <paramref name="node"/>'s endpoint
    /// publishes in <paramref name="directory"/> (its <c>&lt;port&gt;.stats</c>, rewritten every second), once they
    /// include one with <paramref name="awaitedPeer"/>; fails if that does not happen within 10 s.
    /// </summary>
    protected async Task<IReadOnlyList<(string Peer, string Channel)>> IpcAssociationsAsync(IpcTestDirectory directory, NodeProcess node, Address awaitedPeer)
    {
        var stopwatch = Stopwatch.StartNew();
        IReadOnlyList<(string, string)> associations = [];
        while (stopwatch.Elapsed < TimeSpan.FromSeconds(10))
        {
            associations = PublishedAssociations(directory, node.ProcessId);
            if (associations.Any(a => Names(a.Item1, awaitedPeer)))
                break;
            await Task.Delay(200);
        }
        TestOutput.WriteLine($"IPC associations {node.Address} reports: {(associations.Count == 0 ? "none" : string.Join(", ", associations.Select(a => $"{a.Item1} ({a.Item2})")))}");
        return associations;
    }

    /// <summary>True when a published peer text names <paramref name="address"/> (host and port; the scheme's spelling may vary).</summary>
    protected static bool Names(string peer, Address address) =>
        peer.EndsWith($"@{address.Host}:{address.Port}", StringComparison.Ordinal);

    private static IReadOnlyList<(string Peer, string Channel)> PublishedAssociations(IpcTestDirectory directory, int pid)
    {
        foreach (var file in Directory.GetFiles(directory.Path, "*.stats"))
        {
            byte[] json;
            try
            {
                json = File.ReadAllBytes(file);
            }
            catch (IOException)
            {
                continue; // replaced or removed meanwhile
            }
            var document = StatsDocument.TryParse(json, out _);
            if (document?.Pid == pid)
                return document.Associations.Select(a => (a.Peer, a.Channel)).ToList();
        }
        return [];
    }

    /// <summary>The established TCP connections between two nodes' processes, logged.</summary>
    protected IReadOnlyList<TcpConnections.Row> TcpBetween(NodeProcess a, NodeProcess b, string labelA, string labelB)
    {
        var rows = TcpConnections.Between(a.ProcessId, b.ProcessId);
        TestOutput.WriteLine($"TCP {labelA} (pid {a.ProcessId}, {a.Address.Port}) - {labelB} (pid {b.ProcessId}, {b.Address.Port}): "
            + (rows.Count == 0 ? "none" : string.Join(", ", rows)));
        return rows;
    }
}
