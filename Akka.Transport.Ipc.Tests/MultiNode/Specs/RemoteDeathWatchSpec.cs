using Akka.Actor;
using Akka.Configuration;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

public sealed class RemoteDeathWatchConfig : MultiNodeConfig
{
    public RemoteDeathWatchConfig()
    {
        First = Role("first");
        Second = Role("second");
        CommonConfig = ConfigurationFactory.ParseString("akka.loglevel = INFO");
    }

    public RoleName First { get; }

    public RoleName Second { get; }
}

/// <summary>
/// Remote deployment and DeathWatch across roles: <c>first</c> deploys an echo actor onto <c>second</c>, talks to it,
/// watches it and sees it terminate when <c>second</c> stops it; then <c>second</c>'s whole process is killed by the
/// conductor and <c>first</c> sees the watched remote actor's node terminated.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class RemoteDeathWatchSpec : MultiNodeSpec
{
    private readonly RemoteDeathWatchConfig _config;

    public RemoteDeathWatchSpec(ITestOutputHelper output) : this(new RemoteDeathWatchConfig(), output)
    {
    }

    private RemoteDeathWatchSpec(RemoteDeathWatchConfig config, ITestOutputHelper output) : base(config, output) => _config = config;

    [MultiNodeFact]
    public void Remote_deployed_actor_answers_and_its_death_is_watched()
    {
        RunOn(() =>
        {
            var echo = Sys.ActorOf(Props.Create(() => new Echo())
                .WithDeploy(Deploy.None.WithScope(new RemoteScope(GetAddress(_config.Second)))), "echo");
            Assert.Equal(GetAddress(_config.Second), echo.Path.Address);
            echo.Tell("hello");
            ExpectMsg("hello from second");
            Watch(echo);
            echo.Tell(PoisonPill.Instance);
            ExpectTerminated(echo);
        }, _config.First);
        EnterBarrier("deployed-and-watched");
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => Receive<string>(s => Sender.Tell($"{s} from {Context.System.Settings.Config.GetString("akka.remote.ipc.directory") switch { _ => Environment.GetEnvironmentVariable("AKKA_IPC_MULTINODE_ROLE") }}"));
    }
}
