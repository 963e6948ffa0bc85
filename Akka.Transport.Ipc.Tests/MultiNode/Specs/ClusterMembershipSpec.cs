using Akka.Actor;
using Akka.Cluster;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Xunit.Abstractions;
using static Akka.Cluster.ClusterEvent;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

public sealed class ClusterMembershipConfig : MultiNodeConfig
{
    public ClusterMembershipConfig()
    {
        First = Role("first");
        Second = Role("second");
        Third = Role("third");
        CommonConfig = ClusterSpecConfig.KeepMajority;
    }

    public RoleName First { get; }

    public RoleName Second { get; }

    public RoleName Third { get; }
}

/// <summary>
/// A three-member Akka.Cluster over IPC, one process per member: all join and see each other Up; a member that
/// leaves gracefully is Removed everywhere (and its system shuts down); a member whose process is killed is removed
/// by the split-brain resolver.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class ClusterMembershipSpec : MultiNodeSpec
{
    private static readonly TimeSpan Convergence = TimeSpan.FromSeconds(20);
    private readonly ClusterMembershipConfig _config;

    public ClusterMembershipSpec(ITestOutputHelper output) : this(new ClusterMembershipConfig(), output)
    {
    }

    private ClusterMembershipSpec(ClusterMembershipConfig config, ITestOutputHelper output) : base(config, output) => _config = config;

    private Akka.Cluster.Cluster Cluster => Akka.Cluster.Cluster.Get(Sys);

    [MultiNodeFact]
    public void Three_members_join_and_see_each_other_up_then_a_leaving_member_is_removed_everywhere()
    {
        JoinAndAwaitAllUp();

        RunOn(() =>
        {
            Cluster.Leave(Cluster.SelfAddress);
            Assert.True(Sys.WhenTerminated.Wait(Convergence), "third's system did not shut down after leaving");
        }, _config.Third);
        RunOn(() =>
        {
            var removed = ExpectMsg<MemberRemoved>(Convergence);
            Assert.Equal(GetAddress(_config.Third), removed.Member.Address);
            Assert.Equal(MemberStatus.Exiting, removed.PreviousStatus);
            AwaitAssert(() => Assert.Equal(2, Cluster.State.Members.Count(m => m.Status == MemberStatus.Up)), Convergence);
        }, _config.First, _config.Second);
        EnterBarrier("third-left");
    }

    [MultiNodeFact]
    public void A_killed_member_is_removed_by_the_split_brain_resolver()
    {
        JoinAndAwaitAllUp();

        RunOn(() => TestConductor.Kill(_config.Third).Wait(), _config.First);
        RunOn(() =>
        {
            var removed = ExpectMsg<MemberRemoved>(Convergence);
            Assert.Equal(GetAddress(_config.Third), removed.Member.Address);
            Assert.Equal(MemberStatus.Down, removed.PreviousStatus);
            AwaitAssert(() =>
            {
                Assert.Equal(2, Cluster.State.Members.Count);
                Assert.Empty(Cluster.State.Unreachable);
            }, Convergence);
        }, _config.First, _config.Second);
        EnterBarrier("third-removed");
    }

    private void JoinAndAwaitAllUp()
    {
        Cluster.Subscribe(TestActor, InitialStateAsSnapshot, typeof(MemberRemoved));
        ExpectMsg<CurrentClusterState>();
        Cluster.JoinSeedNodes(new[] { GetAddress(_config.First) }); // retried until the seed answers, unlike Join
        AwaitAssert(() =>
        {
            var members = Cluster.State.Members;
            Assert.Equal(3, members.Count(m => m.Status == MemberStatus.Up));
            Assert.Equal(Roles.Select(GetAddress).OrderBy(a => a.ToString()), members.Select(m => m.Address).OrderBy(a => a.ToString()));
        }, Convergence);
        EnterBarrier("all-up");
    }
}
