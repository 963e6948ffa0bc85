using Akka.Actor;
using Akka.Configuration;
using Akka.Remote;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Akka.Transport.Ipc.Tests.TestActors;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

public sealed class FrozenPeerConfig : MultiNodeConfig
{
    public FrozenPeerConfig(string mode)
    {
        Sender = Role("sender");
        Frozen = Role("frozen");
        // A ring smaller than the largest frames: they cross it in pieces, and a frozen reader fills it quickly.
        CommonConfig = ConfigurationFactory.ParseString("""
            akka.remote.ipc.ring-size = 64KiB
            akka.remote.ipc.maximum-frame-size = 2MiB
            """).WithFallback(ModeConfig.For(mode));
    }

    public RoleName Sender { get; }

    public RoleName Frozen { get; }
}

/// <summary>
/// A peer frozen with SIGSTOP for 5 s is alive (liveness is the kernel's view of its descriptors, not a wall-clock
/// lease): it is not disassociated, the sender's frames queue behind the full ring, and after SIGCONT the stream of
/// 20 000 mixed-size payloads (8 B – 1 MiB) completes in order with every byte checked.
/// </summary>
public abstract class FrozenPeerSpec(FrozenPeerConfig config, ITestOutputHelper output) : MultiNodeSpec(config, output)
{
    private const int Total = 20_000;
    private static readonly TimeSpan Freeze = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(1);

    [MultiNodeFact]
    public void A_peer_frozen_for_five_seconds_is_not_disassociated_and_loses_nothing()
    {
        RunOn(() => Sys.ActorOf(Props.Create<Verifier>(), "verifier"), config.Frozen);
        EnterBarrier("verifier-started");

        RunOn(() =>
        {
            var verifier = Sys.ActorSelection(Node(config.Frozen) / "user" / "verifier").ResolveOne(Step).Result;
            var events = CreateTestProbe();
            Sys.EventStream.Subscribe(events.Ref, typeof(DisassociatedEvent));
            int sent = 0, acknowledged = 0;
            void Send(int count)
            {
                for (int end = Math.Min(Total, sent + count); sent < end; sent++)
                    verifier.Tell(StreamPayload.Create(sent), TestActor);
            }

            Send(5_000);
            while (acknowledged < 5_000)
                acknowledged = NextAck();

            TestConductor.Freeze(config.Frozen).Wait();
            try
            {
                Send(Total - sent); // into the ring, then the queue, then Akka's own buffer: all while frozen
                Thread.Sleep(Freeze);
                events.ExpectNoMsg(TimeSpan.Zero);
            }
            finally
            {
                TestConductor.Thaw(config.Frozen).Wait();
            }

            while (acknowledged < Total)
                acknowledged = NextAck();
            Assert.Equal(Total, acknowledged);
            events.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        }, config.Sender);
        EnterBarrier("streamed");
    }

    private int NextAck() => ExpectMsg<object>(Step) switch
    {
        int count => count,
        string error => throw new Xunit.Sdk.XunitException(error),
        var other => throw new Xunit.Sdk.XunitException($"unexpected {other}"),
    };
}

[Collection(MultiProcessCollection.Name)]
public sealed class ShmFrozenPeerSpec(ITestOutputHelper output) : FrozenPeerSpec(new FrozenPeerConfig("shm"), output);

[Collection(MultiProcessCollection.Name)]
public sealed class FifoFrozenPeerSpec(ITestOutputHelper output) : FrozenPeerSpec(new FrozenPeerConfig("fifo"), output);
