using Akka.Remote.Transport;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Transport;

/// <summary>Two endpoints associating with each other at the same moment both get working associations.</summary>
public abstract class SimultaneousAssociateTests(string mode, ITestOutputHelper output) : TransportTestKit(mode, output)
{
    [Fact]
    public async Task Both_sides_associating_at_once_end_up_with_two_working_associations()
    {
        var a = NewTransport();
        var b = NewTransport();
        var inboundA = CreateTestProbe();
        var inboundB = CreateTestProbe();
        var addressA = await ListenAsync(a, inboundA);
        var addressB = await ListenAsync(b, inboundB);

        var both = await Task.WhenAll(a.Associate(addressB), b.Associate(addressA)).WaitAsync(Timeout); // no deadlock
        var intoB = inboundB.ExpectMsg<InboundAssociation>(Timeout).Association;
        var intoA = inboundA.ExpectMsg<InboundAssociation>(Timeout).Association;

        await AssertDeliversAsync(both[0], intoB, "a→b");
        await AssertDeliversAsync(both[1], intoA, "b→a");
        await AssertDeliversAsync(intoB, both[0], "b→a on a's association");
        await AssertDeliversAsync(intoA, both[1], "a→b on b's association");
    }

    private static async Task AssertDeliversAsync(AssociationHandle from, AssociationHandle to, string text)
    {
        var received = new RecordingHandleListener();
        if (!to.ReadHandlerSource.Task.IsCompleted)
            to.ReadHandlerSource.SetResult(received);
        else
            received = (RecordingHandleListener)await to.ReadHandlerSource.Task;
        int before = received.PayloadCount;
        Assert.True(from.Write(ByteString.CopyFromUtf8(text)));
        var deadline = DateTime.UtcNow + Timeout;
        while (received.PayloadCount == before && DateTime.UtcNow < deadline)
            await Task.Delay(5);
        Assert.Equal(text, received.Payloads.Select(p => System.Text.Encoding.UTF8.GetString(p)).Last());
    }
}

public sealed class ShmSimultaneousAssociateTests(ITestOutputHelper output) : SimultaneousAssociateTests("shm", output);

public sealed class FifoSimultaneousAssociateTests(ITestOutputHelper output) : SimultaneousAssociateTests("fifo", output);
