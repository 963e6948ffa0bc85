using Akka.Actor;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

public sealed class PingPongConfig : MultiNodeConfig
{
    public PingPongConfig(string mode)
    {
        Ping = Role("ping");
        Pong = Role("pong");
        CommonConfig = ModeConfig.For(mode);
    }

    public RoleName Ping { get; }

    public RoleName Pong { get; }
}

/// <summary>Two roles: 10 000 numbers to an echo and back, 1 000 in flight, in order; and an echo reached by selection.</summary>
public abstract class PingPongSpec(PingPongConfig config, ITestOutputHelper output) : MultiNodeSpec(config, output)
{
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(1);

    [MultiNodeFact]
    public void Ten_thousand_pings_come_back_in_order()
    {
        RunOn(() => Sys.ActorOf(Props.Create<Echo>(), "echo"), config.Pong);
        EnterBarrier("echo-started");

        RunOn(() =>
        {
            var echo = Sys.ActorSelection(Node(config.Pong) / "user" / "echo").ResolveOne(Step).Result;
            Assert.Equal(GetAddress(config.Pong), echo.Path.Address);
            Pings.Run(Sys, echo, 10_000, Step);
        }, config.Ping);
        EnterBarrier("done");
    }
}

[Collection(MultiProcessCollection.Name)]
public sealed class ShmPingPongSpec(ITestOutputHelper output) : PingPongSpec(new PingPongConfig("shm"), output);

[Collection(MultiProcessCollection.Name)]
public sealed class FifoPingPongSpec(ITestOutputHelper output) : PingPongSpec(new PingPongConfig("fifo"), output);

public sealed class ProducersConfig : MultiNodeConfig
{
    public ProducersConfig(string mode)
    {
        Consumer = Role("consumer");
        Producers = Enumerable.Range(1, 4).Select(i => Role($"producer{i}")).ToArray();
        CommonConfig = ModeConfig.For(mode);
    }

    public RoleName Consumer { get; }

    public RoleName[] Producers { get; }
}

/// <summary>
/// Five roles: four producers each stream 50 000 numbers to one consumer at once; each producer's arrive in order
/// with none missing (ported from the NodeHost harness's NodeSpecs).
/// </summary>
public abstract class ProducersSpec(ProducersConfig config, ITestOutputHelper output) : MultiNodeSpec(config, output)
{
    private const int PerProducer = 50_000;
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(1);

    [MultiNodeFact]
    public void One_consumer_and_four_producers_deliver_fifty_thousand_each_in_order()
    {
        RunOn(() => Sys.ActorOf(Props.Create<PerSenderChecker>(), "checker"), config.Consumer);
        EnterBarrier("consumer-started");

        RunOn(() =>
        {
            var checker = Sys.ActorSelection(Node(config.Consumer) / "user" / "checker").ResolveOne(Step).Result;
            checker.Tell(new PerSenderChecker.Expect(PerProducer), TestActor);
            for (int n = 0; n < PerProducer; n++)
                checker.Tell(n, TestActor);
            Assert.Equal(new PerSenderChecker.Done(PerProducer), ExpectMsg<object>(Step));
        }, config.Producers);
        EnterBarrier("produced");
    }
}

[Collection(MultiProcessCollection.Name)]
public sealed class ShmProducersSpec(ITestOutputHelper output) : ProducersSpec(new ProducersConfig("shm"), output);

[Collection(MultiProcessCollection.Name)]
public sealed class FifoProducersSpec(ITestOutputHelper output) : ProducersSpec(new ProducersConfig("fifo"), output);
