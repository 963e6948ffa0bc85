using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Remote;
using static Akka.Cluster.ClusterEvent;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

/// <summary>What a <see cref="MemberEventLog"/> records.</summary>
internal enum MemberEventKind
{
    Up,
    Unreachable,
    Reachable,
    Downed,
    Removed,
    Disassociated,
}

/// <summary>One recorded event: the member's (or association's) address, the member's uid (0 for a disassociation) and the
/// <see cref="Stopwatch.GetTimestamp"/> ticks when it reached the subscriber (CLOCK_MONOTONIC, shared by every process
/// on the host).</summary>
internal sealed record MemberEvent(MemberEventKind Kind, Address Address, long Uid, long Ticks);

/// <summary>
/// Everything one ActorSystem hears about members and associations, from its start on, with the time it heard it:
/// Akka.Cluster's member and reachability events (when the system is a cluster member) and Akka.Remote's
/// <see cref="DisassociatedEvent"/>. Thread-safe: the spec's thread reads what the subscriber actor appends.
/// </summary>
internal sealed class MemberEventLog
{
    private readonly ConcurrentQueue<MemberEvent> _events = new();

    private MemberEventLog()
    {
    }

    /// <summary>Subscribes a new log to <paramref name="system"/>'s events (cluster events only when <paramref name="cluster"/>).</summary>
    public static MemberEventLog Start(ActorSystem system, bool cluster = true)
    {
        var log = new MemberEventLog();
        var subscriber = system.ActorOf(Props.Create(() => new Subscriber(log._events)), "member-event-log");
        system.EventStream.Subscribe(subscriber, typeof(DisassociatedEvent));
        if (cluster)
        {
            Akka.Cluster.Cluster.Get(system).Subscribe(subscriber, SubscriptionInitialStateMode.InitialStateAsEvents,
                typeof(IMemberEvent), typeof(IReachabilityEvent));
        }
        return log;
    }

    /// <summary>Every event recorded so far, in arrival order.</summary>
    public IReadOnlyList<MemberEvent> Events => _events.ToArray();

    /// <summary>The first event of <paramref name="kind"/> about <paramref name="address"/> (and <paramref name="uid"/> unless null)
    /// at or after <paramref name="sinceTicks"/>; fails when none comes within <paramref name="timeout"/>.</summary>
    public MemberEvent Await(MemberEventKind kind, Address address, TimeSpan timeout, long sinceTicks = 0, long? uid = null)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var found = _events.FirstOrDefault(e => e.Kind == kind && e.Address == address && e.Ticks >= sinceTicks && (uid is null || e.Uid == uid));
            if (found is not null)
                return found;
            Assert.True(stopwatch.Elapsed < timeout, $"no {kind} event about {address}{(uid is null ? "" : $" (uid {uid})")} within {timeout}; heard: {Describe()}");
            Thread.Sleep(10);
        }
    }

    /// <summary>The recorded events, one per entry, for failure messages and the output.</summary>
    public string Describe() => string.Join(" | ", _events.Select(e => $"{e.Kind} {e.Address} {e.Uid} @{e.Ticks}"));

    private sealed class Subscriber : ReceiveActor
    {
        public Subscriber(ConcurrentQueue<MemberEvent> events)
        {
            void Add(MemberEventKind kind, Member member) =>
                events.Enqueue(new MemberEvent(kind, member.Address, member.UniqueAddress.Uid, Stopwatch.GetTimestamp()));

            Receive<MemberUp>(e => Add(MemberEventKind.Up, e.Member));
            Receive<UnreachableMember>(e => Add(MemberEventKind.Unreachable, e.Member));
            Receive<ReachableMember>(e => Add(MemberEventKind.Reachable, e.Member));
            Receive<MemberDowned>(e => Add(MemberEventKind.Downed, e.Member));
            Receive<MemberRemoved>(e => Add(MemberEventKind.Removed, e.Member));
            Receive<DisassociatedEvent>(e =>
                events.Enqueue(new MemberEvent(MemberEventKind.Disassociated, e.RemoteAddress, 0, Stopwatch.GetTimestamp())));
            ReceiveAny(_ => { });
        }
    }
}
