using Akka.Actor;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

public sealed class RemoteDeathWatchConfig : MultiNodeConfig
{
    public RemoteDeathWatchConfig(string mode)
    {
        First = Role("first");
        Second = Role("second");
        CommonConfig = ModeConfig.For(mode);
    }

    public RoleName First { get; }

    public RoleName Second { get; }
}

/// <summary>
/// Remote deployment and DeathWatch across roles: <c>first</c> deploys actors onto <c>second</c> (they answer from
/// second's process), watches them and sees one terminate when stopped; then
/// <c>second</c>'s process is SIGKILLed by the conductor and <c>first</c> gets <c>Terminated</c> for the other, within
/// 5 s (certain death: the transport knows the process is gone).
/// </summary>
public abstract class RemoteDeathWatchSpec : MultiNodeSpec
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);
    private readonly RemoteDeathWatchConfig _config;

    protected RemoteDeathWatchSpec(RemoteDeathWatchConfig config, ITestOutputHelper output) : base(config, output) => _config = config;

    [MultiNodeFact]
    public void Remote_deployed_actors_answer_from_their_node_and_their_death_is_watched_even_when_the_node_is_killed()
    {
        RunOn(() =>
        {
            var onSecond = Deploy.None.WithScope(new RemoteScope(GetAddress(_config.Second)));
            var stopped = Sys.ActorOf(Props.Create<WhereAmI>().WithDeploy(onSecond), "stopped");
            var killed = Sys.ActorOf(Props.Create<WhereAmI>().WithDeploy(onSecond), "killed");
            Assert.Equal(GetAddress(_config.Second), stopped.Path.Address);
            Assert.Equal("second", stopped.Ask<string>("where?", Step).Result);
            Assert.Equal("second", killed.Ask<string>("where?", Step).Result);

            Watch(stopped);
            Watch(killed);
            stopped.Tell(PoisonPill.Instance);
            ExpectTerminated(stopped, Step);

            TestConductor.Kill(_config.Second).Wait();
            var terminated = ExpectTerminated(killed, TimeSpan.FromSeconds(5));
            Assert.True(terminated.AddressTerminated, "the killed node's actor was not reported as its address terminated");
        }, _config.First);
        EnterBarrier("watched");
    }

    /// <summary>Answers with the multi-node role of the process it runs in.</summary>
    private sealed class WhereAmI : ReceiveActor
    {
        public WhereAmI() => Receive<string>(_ => Sender.Tell(Environment.GetEnvironmentVariable("AKKA_IPC_MULTINODE_ROLE")));
    }
}

[Collection(MultiProcessCollection.Name)]
public sealed class ShmRemoteDeathWatchSpec(ITestOutputHelper output) : RemoteDeathWatchSpec(new RemoteDeathWatchConfig("shm"), output);

[Collection(MultiProcessCollection.Name)]
public sealed class FifoRemoteDeathWatchSpec(ITestOutputHelper output) : RemoteDeathWatchSpec(new RemoteDeathWatchConfig("fifo"), output);
