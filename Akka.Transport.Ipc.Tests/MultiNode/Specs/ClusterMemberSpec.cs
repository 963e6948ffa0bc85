using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Transport.Ipc.Diagnostics;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.TestActors;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

/// <summary>
/// Base of the cluster specs ported from the NodeHost harness (hybrid members, plain dot-netty members, certain
/// death): steps every role of such a spec takes on its own ActorSystem (or on a second one it created to restart a
/// killed role on the same address), and the kernel's and the transport's word on which channel a pair uses.
/// </summary>
/// <remarks>
/// Every role's system gets, from <see cref="StartServices"/>: <c>/user/per-sender-verifier</c> (the payload streams'
/// receiver, <see cref="PerSenderVerifier"/>), <c>/user/pid</c> (answers its process id) and <c>/user/inbox</c>
/// (forwards to <see cref="Akka.TestKit.TestKitBase.TestActor"/>: how a role hands another a timestamp).
/// </remarks>
public abstract class ClusterMemberSpec : MultiNodeSpec
{
    /// <summary>Bound of every step that has no bound of its own (a healthy step takes seconds).</summary>
    protected static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(2);

    protected ClusterMemberSpec(MultiNodeConfig config, ITestOutputHelper output) : base(config, output)
    {
        StartServices(Sys, TestActor);
    }

    /// <summary>Starts the verifier, pid and inbox actors on <paramref name="system"/>; the inbox forwards to <paramref name="inboxTarget"/>.</summary>
    protected static void StartServices(ActorSystem system, IActorRef inboxTarget)
    {
        system.ActorOf(Props.Create<PerSenderVerifier>(), "per-sender-verifier");
        system.ActorOf(Props.Create(() => new ProcessIdentity()), "pid");
        system.ActorOf(Props.Create(() => new Forwarder(inboxTarget)), "inbox");
    }

    /// <summary>
    /// A new incarnation of the killed member at <paramref name="address"/>: a second ActorSystem in this process on
    /// its port (a new process on the old address), joined through <paramref name="seed"/> with JoinSeedNodes (retried
    /// until the seed answers, unlike Join), and Up with <paramref name="members"/>. The caller terminates it.
    /// </summary>
    protected ActorSystem RestartOnPort(Address address, Address seed, IReadOnlyCollection<Address> members)
    {
        var restarted = ActorSystem.Create(Sys.Name, ClusterNodeConfigs.OnPort(Sys.Settings.Config, address.Port!.Value));
        StartServices(restarted, TestActor);
        var cluster = Akka.Cluster.Cluster.Get(restarted);
        Assert.Equal(address, cluster.SelfAddress);
        cluster.JoinSeedNodes(new[] { seed });
        AwaitAllUp(restarted, members);
        return restarted;
    }

    /// <summary>
    /// This member joins through <paramref name="seed"/> with JoinSeedNodes (retried until the seed answers, unlike
    /// Join), waits for <paramref name="members"/> all Up, exchanges <paramref name="payloads"/> numbered payloads
    /// with every other member, and returns the uid it sees for <paramref name="watched"/> (the one to be killed).
    /// </summary>
    protected long JoinAndExchange(Address seed, IReadOnlyCollection<Address> members, int payloads, Address watched)
    {
        Akka.Cluster.Cluster.Get(Sys).JoinSeedNodes(new[] { seed });
        AwaitAllUp(Sys, members);
        Exchange(Sys, payloads, payloads / 3, members.Where(m => m != GetAddress(Myself)));
        return UidOf(Sys, watched);
    }

    /// <summary>
    /// Whatever reacted to the first incarnation's death never touched the restarted one at <paramref name="address"/>:
    /// <paramref name="log"/> holds no event for its current uid but Up and Disassociated.
    /// </summary>
    private protected void AssertRestartUntouched(MemberEventLog log, Address address, string who)
    {
        long newUid = UidOf(Sys, address);
        Assert.False(log.Events.Any(e => e.Address == address && e.Uid == newUid && e.Kind is not (MemberEventKind.Up or MemberEventKind.Disassociated)),
            $"a reaction reached the restarted {who} (uid {newUid}) on {Myself.Name}: {log.Describe()}");
    }

    /// <summary>
    /// The restarted incarnation <paramref name="restarted"/> leaves the cluster (CoordinatedShutdown) and its system
    /// terminates, each within the step time-out; fails naming <paramref name="who"/>.
    /// </summary>
    protected static void LeaveAndTerminate(ActorSystem restarted, string who)
    {
        CoordinatedShutdown.Get(restarted).Run(CoordinatedShutdown.ClrExitReason.Instance).Wait(StepTimeout);
        Assert.True(restarted.WhenTerminated.Wait(StepTimeout), $"the restarted {who} did not leave and terminate");
    }

    /// <summary>
    /// Waits until <paramref name="system"/>'s cluster view holds exactly <paramref name="expected"/>, all Up (and for
    /// <paramref name="notUid"/>'s address, an incarnation other than that uid); fails naming the view.
    /// </summary>
    protected void AwaitAllUp(ActorSystem system, IReadOnlyCollection<Address> expected, (Address Address, long Uid)? notUid = null)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var members = cluster.State.Members;
            bool allUp = members.Count == expected.Count && expected.All(a => members.Any(m => m.Address == a && m.Status == MemberStatus.Up
                && (notUid is not { } old || a != old.Address || m.UniqueAddress.Uid != old.Uid)));
            if (allUp)
            {
                Output?.WriteLine($"all {expected.Count} members Up on {cluster.SelfAddress} after {stopwatch.Elapsed.TotalSeconds:F1} s");
                return;
            }
            Assert.True(stopwatch.Elapsed < StepTimeout, $"{cluster.SelfAddress} did not see all {expected.Count} Up within {StepTimeout}: "
                + string.Join(", ", members.Select(m => $"{m.Address} {m.Status} uid {m.UniqueAddress.Uid}")));
            Thread.Sleep(100);
        }
    }

    /// <summary>The uid of the member at <paramref name="address"/> in <paramref name="system"/>'s view.</summary>
    protected static long UidOf(ActorSystem system, Address address) =>
        Akka.Cluster.Cluster.Get(system).State.Members.Single(m => m.Address == address).UniqueAddress.Uid;

    /// <summary>
    /// Streams <paramref name="count"/> numbered payloads from <paramref name="system"/> to each of <paramref name="peers"/>
    /// (all at once, spread over at least <paramref name="durationMs"/>) and returns once every receiver reported all of
    /// them in order with every byte right (<see cref="PayloadStream"/>).
    /// </summary>
    protected static void Exchange(ActorSystem system, int count, int durationMs, IEnumerable<Address> peers)
    {
        var run = PayloadStream.Start(system, count, ClusterNodeConfigs.MaxPayload, durationMs, peers.ToList(), StepTimeout);
        Assert.True(run.Done.Wait(StepTimeout + StepTimeout), $"{count} payloads to each peer did not finish within {StepTimeout}");
        Assert.Null(run.Done.Result);
    }

    /// <summary>The process id of <paramref name="role"/> (asked over the transport: both must be associated anyway).</summary>
    protected int PidOf(RoleName role) =>
        Sys.ActorSelection(Node(role) / "user" / "pid").Ask<int>(ProcessIdentity.Query, StepTimeout).Result;

    /// <summary>The established TCP connections between two processes (from /proc/net/tcp and /proc/&lt;pid&gt;/fd), logged.</summary>
    protected IReadOnlyList<TcpConnections.Row> TcpBetween(int pidA, int pidB, string labelA, string labelB)
    {
        var rows = TcpConnections.Between(pidA, pidB);
        Output?.WriteLine($"TCP {labelA} (pid {pidA}) - {labelB} (pid {pidB}): {(rows.Count == 0 ? "none" : string.Join(", ", rows))}");
        return rows;
    }

    /// <summary>Hands <paramref name="ticks"/> to <paramref name="role"/>'s test actor (over the transport; the link must be healthy).</summary>
    protected void SendTicks(RoleName role, long ticks) => Sys.ActorSelection(Node(role) / "user" / "inbox").Tell(ticks);

    /// <summary>
    /// The open IPC associations (peer, channel) this process's endpoint publishes in its IPC directory (its
    /// <c>&lt;port&gt;.stats</c>, rewritten every second), once they include <paramref name="awaitedPeer"/> or 10 s passed.
    /// </summary>
    protected IReadOnlyList<(string Peer, string Channel)> IpcAssociations(Address awaitedPeer)
    {
        string directory = Sys.Settings.Config.GetString("akka.remote.ipc.directory");
        var stopwatch = Stopwatch.StartNew();
        IReadOnlyList<(string, string)> associations = [];
        while (stopwatch.Elapsed < TimeSpan.FromSeconds(10))
        {
            associations = PublishedAssociations(directory, Environment.ProcessId);
            if (associations.Any(a => Names(a.Item1, awaitedPeer)))
                break;
            Thread.Sleep(200);
        }
        Output?.WriteLine($"IPC associations this endpoint reports: {(associations.Count == 0 ? "none" : string.Join(", ", associations.Select(a => $"{a.Item1} ({a.Item2})")))}");
        return associations;
    }

    /// <summary>True when a published peer text names <paramref name="address"/> (host and port; the scheme's spelling may vary).</summary>
    protected static bool Names(string peer, Address address) =>
        peer.EndsWith($"@{address.Host}:{address.Port}", StringComparison.Ordinal);

    private static IReadOnlyList<(string Peer, string Channel)> PublishedAssociations(string directory, int pid)
    {
        foreach (var file in Directory.GetFiles(directory, "*.stats"))
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

    /// <summary>Answers <see cref="Query"/> with this process's id.</summary>
    private sealed class ProcessIdentity : ReceiveActor
    {
        public const string Query = "pid?";

        public ProcessIdentity() => Receive<string>(q => q == Query, _ => Sender.Tell(Environment.ProcessId));
    }

    private sealed class Forwarder : ReceiveActor
    {
        public Forwarder(IActorRef target) => ReceiveAny(message => target.Forward(message));
    }
}
