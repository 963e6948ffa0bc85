using Akka.Actor;
using Akka.Cluster;
using Examples.Shared;

namespace LocalCluster;

/// <summary>
/// One cluster node (a child process of the orchestrator). It reports on standard output, one line each, prefixed
/// with <see cref="Prefix"/>: "self ADDRESS" once it listens, then "up|unreachable|removed ADDRESS" as its view of
/// the cluster changes. It stops in order (terminating its ActorSystem, which removes its IPC files) on SIGINT,
/// SIGTERM, or when its standard input — a pipe held by the orchestrator — closes.
/// </summary>
internal static class Node
{
    public const string Prefix = "@@ ";

    public static async Task<int> RunAsync(Options options)
    {
        var stop = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var system = ActorSystem.Create(Hocon.SystemName, Hocon.For(options));
        // Registered after the ActorSystem started: .NET runs a signal's handlers newest first, so the transport sees
        // this one cancel the signal and keeps its names until the orderly shutdown below removes them.
        StopSignals.OnStop(reason => stop.TrySetResult(reason));
        if (options.ParentStdin)
            StopSignals.OnParentGone(reason => stop.TrySetResult(reason));
        var cluster = Cluster.Get(system);
        Report("self", cluster.SelfAddress.ToString());
        system.ActorOf(Props.Create(() => new MemberReporter()), "member-reporter");
        cluster.JoinSeedNodes(new[] { options.Seed == "self" ? cluster.SelfAddress : Address.Parse(options.Seed) });
        string reason = await stop.Task;
        Console.Error.WriteLine($"{options.Name}: {reason}");
        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(30));
        return 0;
    }

    /// <summary>One line, written whole (Console.Out is synchronized), so the orchestrator never sees half of it.</summary>
    private static void Report(string what, string address) => Console.Out.WriteLine($"{Prefix}{what} {address}");

    /// <summary>Turns this node's cluster events into report lines.</summary>
    private sealed class MemberReporter : ReceiveActor
    {
        public MemberReporter()
        {
            Receive<ClusterEvent.MemberUp>(e => Report("up", e.Member.Address.ToString()));
            Receive<ClusterEvent.UnreachableMember>(e => Report("unreachable", e.Member.Address.ToString()));
            Receive<ClusterEvent.MemberRemoved>(e => Report("removed", e.Member.Address.ToString()));
            Receive<ClusterEvent.IClusterDomainEvent>(_ => { });
        }

        protected override void PreStart() => Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.MemberRemoved));

        protected override void PostStop() => Cluster.Get(Context.System).Unsubscribe(Self);
    }
}
