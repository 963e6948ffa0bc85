using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;

namespace Akka.Transport.Ipc.Tests.NodeHost;

/// <summary>
/// Akka.Cluster for a node started with <c>--cluster on</c> (its own ActorSystem is the member). From the start on,
/// one stdout line per cluster event, with Stopwatch.GetTimestamp() ticks (CLOCK_MONOTONIC, comparable across
/// processes) when it reached the subscriber:
/// <code>
///   MEMBER-UP|MEMBER-UNREACHABLE|MEMBER-REACHABLE|MEMBER-DOWNED|MEMBER-REMOVED address uid ticks
/// </code>
/// and the commands (through NodeCommands)
/// <code>
///   MEMBERS                   → MEMBERS address/status/uid ...   (this node's view of the cluster, sorted by address)
///   DOWN address              → DOWN-SENT address                (Cluster.Down: e.g. a killed member before shutdown)
/// </code>
/// The node leaves the cluster when it shuts down (STOP runs CoordinatedShutdown).
/// </summary>
public static class ClusterCommands
{
    /// <summary>
    /// Subscribes the event lines, then joins <paramref name="seed"/>: <c>self</c> = the first seed node joins itself,
    /// an address = join that seed (retried by Akka until it answers), "" = no join.
    /// </summary>
    public static void Start(ActorSystem system, string seed)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var reporter = system.ActorOf(Props.Create(() => new MemberEventReporter()), "member-events");
        cluster.Subscribe(reporter, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        if (seed == "self")
            cluster.Join(cluster.SelfAddress);
        else if (seed.Length > 0)
            cluster.JoinSeedNodes([Address.Parse(seed)]);
    }

    public static string Members(ActorSystem system)
    {
        var state = Akka.Cluster.Cluster.Get(system).State;
        return "MEMBERS " + string.Join(' ', state.Members
            .OrderBy(m => m.Address.ToString(), StringComparer.Ordinal)
            .Select(m => $"{m.Address}/{m.Status}/{m.UniqueAddress.Uid}"));
    }

    public static string Down(ActorSystem system, string address)
    {
        Akka.Cluster.Cluster.Get(system).Down(Address.Parse(address));
        return $"DOWN-SENT {address}";
    }

    private sealed class MemberEventReporter : ReceiveActor
    {
        public MemberEventReporter()
        {
            Receive<ClusterEvent.MemberUp>(e => Report("MEMBER-UP", e.Member));
            Receive<ClusterEvent.UnreachableMember>(e => Report("MEMBER-UNREACHABLE", e.Member));
            Receive<ClusterEvent.ReachableMember>(e => Report("MEMBER-REACHABLE", e.Member));
            Receive<ClusterEvent.MemberDowned>(e => Report("MEMBER-DOWNED", e.Member));
            Receive<ClusterEvent.MemberRemoved>(e => Report("MEMBER-REMOVED", e.Member));
            ReceiveAny(_ => { });
        }

        private static void Report(string what, Member member)
        {
            long ticks = Stopwatch.GetTimestamp();
            lock (Console.Out)
            {
                Console.Out.WriteLine($"{what} {member.Address} {member.UniqueAddress.Uid} {ticks}");
                Console.Out.Flush();
            }
        }
    }
}
