// A multi-node spec as a user writes it against the Akka.Transport.Ipc.TestKit package: two roles, each a real
// process started by `dotnet test`; first deploys nothing, just talks to second's echo and watches it die by SIGKILL.
using Akka.Actor;
using Akka.Transport.Ipc.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace PackageConsumer.Specs;

public sealed class EchoConfig : MultiNodeConfig
{
    public EchoConfig()
    {
        First = Role("first");
        Second = Role("second");
    }

    public RoleName First { get; }

    public RoleName Second { get; }
}

public sealed class EchoSpec : MultiNodeSpec
{
    private readonly EchoConfig _config;

    public EchoSpec(ITestOutputHelper output) : this(new EchoConfig(), output)
    {
    }

    private EchoSpec(EchoConfig config, ITestOutputHelper output) : base(config, output) => _config = config;

    [MultiNodeFact(Timeout = 120_000)]
    public void Second_echoes_and_its_death_is_seen()
    {
        RunOn(() => Sys.ActorOf(Props.Create(() => new Echo()), "echo"), _config.Second);
        EnterBarrier("started");

        RunOn(() =>
        {
            var echo = Sys.ActorSelection(Node(_config.Second) / "user" / "echo").ResolveOne(TimeSpan.FromSeconds(10)).Result;
            echo.Tell("hello");
            ExpectMsg("hello");
            Watch(echo);
            TestConductor.Kill(_config.Second).Wait();
            ExpectTerminated(echo);
        }, _config.First);
        EnterBarrier("done");
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender.Tell(m));
    }
}
