using Akka.Remote.Transport;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Reliability;

/// <summary>
/// Shutdown while frames flow: every frame Write accepted before the close reaches the peer, in order; Write
/// then reports the closed channel (false) instead of throwing; everything is removed.
/// </summary>
public abstract class ShutdownUnderLoadTests(string mode, ITestOutputHelper output) : TransportTestKit(mode, output)
{
    [Fact]
    public async Task Shutdown_while_writing_flushes_every_accepted_frame_then_releases_everything()
    {
        var (outbound, inbound) = await ConnectedPairAsync("ring-size = 64KiB");
        int received = 0, outOfOrder = 0;
        var listener = new RecordingHandleListener(p =>
        {
            if (BitConverter.ToInt32(p) != received) outOfOrder++;
            received++;
        });
        inbound.ReadHandlerSource.SetResult(listener);

        int accepted = 0;
        var writing = Task.Factory.StartNew(() =>
        {
            var payload = new byte[256];
            // Keep writing until the channel is closed; back-pressure (false while still open) is retried.
            for (int refusedInARow = 0; refusedInARow < 2000;)
            {
                BitConverter.TryWriteBytes(payload, accepted);
                if (outbound.Write(ByteString.CopyFrom(payload)))
                {
                    accepted++;
                    refusedInARow = 0;
                }
                else
                {
                    refusedInARow++;
                    Thread.Sleep(1);
                }
            }
        }, TaskCreationOptions.LongRunning);

        await AwaitAssertAsync(() => Assert.True(received > 10_000), Timeout);
        var client = Transports[0];
        Assert.True(await client.Shutdown().WaitAsync(Timeout)); // no exception escapes
        await writing.WaitAsync(Timeout);

        await listener.Disassociated.WaitAsync(Timeout);
        Output?.WriteLine($"{Mode}: accepted {accepted}, received {received}");
        Assert.Equal(accepted, received);
        Assert.Equal(0, outOfOrder);
        Output?.WriteLine($"{Mode}: {accepted} frames accepted, all delivered, before and during shutdown");
    }
}

public sealed class ShmShutdownUnderLoadTests(ITestOutputHelper output) : ShutdownUnderLoadTests("shm", output);

public sealed class FifoShutdownUnderLoadTests(ITestOutputHelper output) : ShutdownUnderLoadTests("fifo", output);
