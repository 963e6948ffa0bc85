using Akka.Remote;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.NodeHost;
using Mono.Unix.Native;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiProcess;

/// <summary>
/// A peer frozen with SIGSTOP for 5 s is alive (liveness is the kernel's view of its descriptors, not a
/// wall-clock lease): it is not disassociated, writers to it queue and then see back-pressure, and after SIGCONT
/// the stream completes with nothing lost or duplicated.
/// </summary>
public abstract class FrozenPeerTests(string mode, ITestOutputHelper output)
    : MultiProcessTestKit(output, ringSize: "64KiB", maxFrame: "2MiB", mode: mode)
{
    private const int Total = 20_000;
    private static readonly TimeSpan Freeze = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_peer_frozen_for_five_seconds_is_not_disassociated_and_loses_nothing()
    {
        var node = await StartNodeAsync("Frozen");
        var verifier = Sys.ActorSelection($"{node.Address}/user/verifier");
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
            acknowledged = await NextAckAsync();

        node.Signal(Signum.SIGSTOP);
        try
        {
            Send(Total - sent); // into the ring, then the queue, then Akka's own buffer: all while frozen
            await Task.Delay(Freeze);
            events.ExpectNoMsg(TimeSpan.Zero);
        }
        finally
        {
            node.Signal(Signum.SIGCONT);
        }

        while (acknowledged < Total)
            acknowledged = await NextAckAsync();
        Assert.Equal(Total, acknowledged);
        events.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        await ShutdownAndVerifyAsync();
    }

    private async Task<int> NextAckAsync() =>
        await ExpectMsgAsync<object>(TimeSpan.FromMinutes(1)) switch
        {
            int count => count,
            string error => throw new Xunit.Sdk.XunitException(error),
            var other => throw new Xunit.Sdk.XunitException($"unexpected {other}"),
        };
}

[Collection(MultiProcessCollection.Name)]
public sealed class ShmFrozenPeerTests(ITestOutputHelper output) : FrozenPeerTests("shm", output);

[Collection(MultiProcessCollection.Name)]
public sealed class FifoFrozenPeerTests(ITestOutputHelper output) : FrozenPeerTests("fifo", output);
