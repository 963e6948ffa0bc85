using Akka.Transport.Ipc.Tests.Infrastructure;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Transport;

/// <summary>Disassociating from the inbound side ends the association on both sides, after what was written arrived.</summary>
public abstract class InboundDisassociateTests(string mode, ITestOutputHelper output) : TransportTestKit(mode, output)
{
    [Fact]
    public async Task Disassociate_on_the_inbound_handle_delivers_its_frames_then_ends_the_outbound_side()
    {
        var (outbound, inbound) = await ConnectedPairAsync();
        var atOutbound = new RecordingHandleListener();
        var atInbound = new RecordingHandleListener();
        outbound.ReadHandlerSource.SetResult(atOutbound);
        inbound.ReadHandlerSource.SetResult(atInbound);

        for (int i = 0; i < 100; i++)
            Assert.True(inbound.Write(ByteString.CopyFromUtf8($"reply {i}")));
#pragma warning disable CS0618 // Akka.Remote itself calls the parameterless Disassociate
        inbound.Disassociate();
#pragma warning restore CS0618

        await atOutbound.Disassociated.WaitAsync(Timeout);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"reply {i}"),
            atOutbound.Payloads.Select(p => System.Text.Encoding.UTF8.GetString(p)));
        Assert.False(outbound.Write(ByteString.CopyFromUtf8("too late")), "Write on an ended association was accepted");
    }
}

public sealed class ShmInboundDisassociateTests(ITestOutputHelper output) : InboundDisassociateTests("shm", output);

public sealed class FifoInboundDisassociateTests(ITestOutputHelper output) : InboundDisassociateTests("fifo", output);
