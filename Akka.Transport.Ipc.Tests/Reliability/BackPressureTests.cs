using Akka.Remote.Transport;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Reliability;

/// <summary>
/// A reader that does not read (a frozen peer, or one whose listener is not registered yet): the writer fills
/// the channel, then its queue up to send-queue-limit, then Write reports back-pressure. When reading resumes
/// every accepted frame arrives once, in order, and writes are accepted again.
/// </summary>
public abstract class BackPressureTests(string mode, ITestOutputHelper output) : TransportTestKit(mode, output)
{
    [Fact]
    public async Task Writes_queue_up_to_the_limit_then_report_back_pressure_and_lose_nothing_when_reading_resumes()
    {
        var (outbound, inbound) = await ConnectedPairAsync("ring-size = 64KiB\nsend-queue-limit = 1MiB");
        int accepted = 0;
        while (outbound.Write(Frame(accepted)))
        {
            accepted++;
            Assert.True(accepted < 100_000, "Write never reported back-pressure");
        }
        // Ring (or pipe) plus queue: at least the 1 MiB queue limit of 1 KiB frames was taken.
        Assert.InRange(accepted, 1024, 100_000);
        Assert.False(outbound.Write(Frame(accepted)), "still full: the refused frame is dropped, not queued");

        var listener = new RecordingHandleListener();
        inbound.ReadHandlerSource.SetResult(listener);
        await AwaitAssertAsync(() => Assert.Equal(accepted, listener.PayloadCount), Timeout);
        int n = 0;
        foreach (var payload in listener.Payloads)
            Assert.Equal(Frame(n++).ToByteArray(), payload);

        Assert.True(outbound.Write(Frame(accepted)));
        await AwaitAssertAsync(() => Assert.Equal(accepted + 1, listener.PayloadCount), Timeout);
        Output?.WriteLine($"{Mode}: {accepted} frames of 1 KiB accepted before back-pressure");
    }

    private static ByteString Frame(int seq)
    {
        var bytes = new byte[1024];
        BitConverter.TryWriteBytes(bytes, seq);
        bytes[1023] = (byte)seq;
        return ByteString.CopyFrom(bytes);
    }
}

public sealed class ShmBackPressureTests(ITestOutputHelper output) : BackPressureTests("shm", output);

public sealed class FifoBackPressureTests(ITestOutputHelper output) : BackPressureTests("fifo", output);
