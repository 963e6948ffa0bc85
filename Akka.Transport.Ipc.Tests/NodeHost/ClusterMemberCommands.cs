using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Event;

namespace Akka.Transport.Ipc.Tests.NodeHost;

/// <summary>
/// An Akka.Cluster member hosted by this node, beside its plain remoting system: a second ActorSystem ("Cluster",
/// <c>provider = cluster</c>) on the node's IPC directory and transport settings, with Akka's default failure
/// detector and downing provider. Commands (one stdin line each, "#id " echoed as in NodeCommands; not counted by
/// NodeCommands' BARRIER):
/// <code>
///   CLUSTER-START seed|- on|off port → CLUSTER-STARTED address uid  (joins seed, or itself for "-"; on|off =
///                                      akka.remote.ipc.down-dead-peers; port 0 = any free one)
///                                      or FAILED CLUSTER-START reason (the system did not start: the reason chain)
///   CLUSTER-LEAVE                    → CLUSTER-LEFT                   (CoordinatedShutdown of the member: leaves, stops)
/// </code>
/// and, from the start on, one line per cluster event, with Stopwatch.GetTimestamp() ticks (CLOCK_MONOTONIC,
/// comparable across processes) when it reached the subscriber:
/// <code>
///   MEMBER-UP|MEMBER-UNREACHABLE|MEMBER-REACHABLE|MEMBER-DOWNED|MEMBER-REMOVED address uid ticks
/// </code>
/// The member also leaves when the node's own system shuts down (STOP).
/// </summary>
public sealed class ClusterMemberCommands(ActorSystem host, NodeOptions options)
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);
    private ActorSystem? _member;

    public static bool Handles(string line) => WithoutId(line, out _).StartsWith("CLUSTER-", StringComparison.Ordinal);

    public async Task<string> RunAsync(string line)
    {
        string command = WithoutId(line, out string id);
        var parts = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        try
        {
            return id + parts switch
            {
                ["CLUSTER-START", var seed, var downDeadPeers, var port] when _member is null => Start(seed, downDeadPeers, int.Parse(port, System.Globalization.CultureInfo.InvariantCulture)),
                ["CLUSTER-LEAVE"] when _member is not null => await LeaveAsync(_member),
                _ => $"FAILED {parts.FirstOrDefault()} unexpected '{command}'",
            };
        }
        catch (Exception e)
        {
            return $"{id}FAILED {parts.FirstOrDefault()} {Chain(e)}";
        }
    }

    private string Start(string seed, string downDeadPeers, int port)
    {
        var config = ConfigurationFactory.ParseString($"""
                akka.loglevel = INFO
                akka.actor.provider = cluster
                akka.remote.ipc.down-dead-peers = {downDeadPeers}
                """)
            .WithFallback(ConfigurationFactory.ParseString(IpcHocon.Build(options.Directory, port, options.RingSize,
                options.MaxFrame, options.Mode, shmDirectory: options.ShmDirectory)));
        var member = ActorSystem.Create("Cluster", config);
        _member = member;
        ErrorReporter.Install(member, options.AllowedErrors);
        var cluster = Akka.Cluster.Cluster.Get(member);
        var reporter = member.ActorOf(Props.Create(() => new MemberEventReporter()), "member-events");
        cluster.Subscribe(reporter, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        cluster.Join(seed == "-" ? cluster.SelfAddress : Address.Parse(seed));
        // STOP of the node shuts its own system down; the member leaves first, so nothing of it is left behind.
        CoordinatedShutdown.Get(host).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "leave-cluster-member",
            async () =>
            {
                await LeaveAsync(member);
                return Done.Instance;
            });
        return $"CLUSTER-STARTED {cluster.SelfAddress} {cluster.SelfUniqueAddress.Uid}";
    }

    private static async Task<string> LeaveAsync(ActorSystem member)
    {
        await CoordinatedShutdown.Get(member).Run(CoordinatedShutdown.ClrExitReason.Instance).WaitAsync(ShutdownTimeout);
        await member.WhenTerminated.WaitAsync(ShutdownTimeout);
        return "CLUSTER-LEFT";
    }

    private static string Chain(Exception e)
    {
        var messages = new List<string>();
        for (Exception? x = e; x != null; x = x.InnerException)
            messages.Add($"{x.GetType().Name}: {x.Message}");
        if (e is AggregateException aggregate)
            messages.AddRange(aggregate.Flatten().InnerExceptions.Select(x => $"{x.GetType().Name}: {x.Message}"));
        return string.Join(" | ", messages).ReplaceLineEndings(" ");
    }

    // "#12 CLUSTER-LEAVE" → "CLUSTER-LEAVE", id "#12 "
    private static string WithoutId(string line, out string id)
    {
        id = "";
        if (!line.StartsWith('#'))
            return line;
        int space = line.IndexOf(' ');
        if (space < 0)
            return "";
        id = line[..(space + 1)];
        return line[(space + 1)..].Trim();
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
            Console.Out.WriteLine($"{what} {member.Address} {member.UniqueAddress.Uid} {ticks}");
            Console.Out.Flush();
        }
    }
}
