using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

public sealed class PlainDotNettyClusterConfig : MultiNodeConfig
{
    public PlainDotNettyClusterConfig()
    {
        A = Role("a");
        B = Role("b");
        C = Role("c");
        B2 = Role("b2");
        Loner = Role("loner");
        CommonConfig = ClusterNodeConfigs.Cluster(downDeadPeers: "off");
        NodeConfig([A, B, C, B2, Loner], [ClusterNodeConfigs.PlainDotNetty]);
    }

    public RoleName A { get; }

    public RoleName B { get; }

    public RoleName C { get; }

    /// <summary>Not a member at first: after B's kill it starts B's next incarnation on B's port.</summary>
    public RoleName B2 { get; }

    /// <summary>A dot-netty node that never talks to anyone.</summary>
    public RoleName Loner { get; }

    public RoleName[] Members => [A, B, C];
}

/// <summary>
/// The cluster steps of the hybrid specs, proven with plain dot-netty members only (no IPC anywhere): formation from
/// a seed, every pair's 2000 numbered payload streams, the kernel's TCP table showing a connection between every pair
/// of members and none with a node they never talked to, kill -9 seen as a disassociation, a restart on the same port
/// rejoining as a new incarnation, Up everywhere, over TCP. (Ported from the NodeHost harness's
/// PlainDotNettyClusterTests.)
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class PlainDotNettyClusterSpec : ClusterMemberSpec
{
    private readonly PlainDotNettyClusterConfig _config;

    public PlainDotNettyClusterSpec(ITestOutputHelper output) : this(new PlainDotNettyClusterConfig(), output)
    {
    }

    private PlainDotNettyClusterSpec(PlainDotNettyClusterConfig config, ITestOutputHelper output) : base(config, output) => _config = config;

    /// <summary>Where the loner leaves its pid: the run's directory (the kit removes it), not over any transport.</summary>
    private string LonerPidFile => Path.Combine(Path.GetDirectoryName(Sys.Settings.Config.GetString("akka.remote.ipc.directory"))!, "loner.pid");

    [MultiNodeFact]
    public void Three_plain_members_form_a_cluster_talk_over_tcp_and_a_killed_one_rejoins_on_its_port()
    {
        var log = MemberEventLog.Start(Sys);
        var b = GetAddress(_config.B);
        var members = _config.Members.Select(GetAddress).ToList();
        Assert.All(Roles, r => Assert.Equal("akka.tcp", GetAddress(r).Protocol));
        long oldUid = 0;
        RunOn(() => oldUid = JoinAndExchange(GetAddress(_config.A), members, 2000, b), _config.Members);
        RunOn(() => File.WriteAllText(LonerPidFile, Environment.ProcessId.ToString(CultureInfo.InvariantCulture)), _config.Loner);
        EnterBarrier("exchanged");

        RunOn(() =>
        {
            Assert.NotEmpty(TcpBetween(Environment.ProcessId, PidOf(_config.B), "A", "B"));
            Assert.NotEmpty(TcpBetween(Environment.ProcessId, PidOf(_config.C), "A", "C"));
            // A dot-netty node that never associated with A: the helper reports connections between the two, not sockets.
            Assert.Empty(TcpBetween(Environment.ProcessId, int.Parse(File.ReadAllText(LonerPidFile), CultureInfo.InvariantCulture), "A", "Loner"));
        }, _config.A);
        RunOn(() => Assert.NotEmpty(TcpBetween(Environment.ProcessId, PidOf(_config.C), "B", "C")), _config.B);
        EnterBarrier("checked");

        RunOn(() =>
        {
            // Timed from the SIGKILL itself (the conductor reports when it sent it), as the README states the bound.
            long killedAt = TestConductor.Kill(_config.B).Result;
            var seen = Stopwatch.GetElapsedTime(killedAt, log.Await(MemberEventKind.Disassociated, b, StepTimeout, killedAt).Ticks);
            Output?.WriteLine($"dot-netty: A saw B disassociated {seen.TotalMilliseconds:F0} ms after SIGKILL");
        }, _config.A);
        EnterBarrier("b-killed");

        ActorSystem? restarted = null;
        RunOn(() => restarted = RestartOnPort(b, GetAddress(_config.A), members), _config.B2);
        RunOn(() => AwaitAllUp(Sys, members, (b, oldUid)), _config.A, _config.C);
        EnterBarrier("b2-up");

        var self = restarted ?? Sys;
        RunOn(() => Exchange(self, 500, 500 / 3, members.Where(m => m != Akka.Cluster.Cluster.Get(self).SelfAddress)), _config.A, _config.B2, _config.C);
        EnterBarrier("exchanged-again");
        RunOn(() => Assert.NotEmpty(TcpBetween(Environment.ProcessId, PidOf(_config.B), "A", "B2")), _config.A);
        EnterBarrier("checked-again");

        RunOn(() => LeaveAndTerminate(restarted!, "B"), _config.B2);
        EnterBarrier("b2-left");
    }
}
