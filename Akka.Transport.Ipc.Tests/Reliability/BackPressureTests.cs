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
    private const int FrameSize = 1024;
    private const int ChannelBytes = 64 * 1024; // ring-size; the FIFO's pipe is sized to the ring (at most 1 MiB)
    private const int QueueLimit = 1024 * 1024;

    [Fact]
    public async Task Writes_queue_up_to_the_limit_then_report_back_pressure_and_lose_nothing_when_reading_resumes()
    {
        var (outbound, inbound) = await ConnectedPairAsync($"ring-size = {ChannelBytes}b\nsend-queue-limit = {QueueLimit}b");
        int accepted = 0;
        while (outbound.Write(Frame(accepted)))
        {
            accepted++;
            Assert.True(accepted < 100_000, "Write never reported back-pressure");
        }
        // What the channel holds (ring or pipe, headers included, so less than its size in frames) plus a queue that
        // never exceeds the limit: the queue overshooting by more than one frame shows here.
        int upper = ChannelBytes / FrameSize + QueueLimit / FrameSize + 1;
        Assert.InRange(accepted, QueueLimit / FrameSize, upper);
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
        var bytes = new byte[FrameSize];
        BitConverter.TryWriteBytes(bytes, seq);
        bytes[1023] = (byte)seq;
        return ByteString.CopyFrom(bytes);
    }
}

public sealed class ShmBackPressureTests(ITestOutputHelper output) : BackPressureTests("shm", output);

public sealed class FifoBackPressureTests(ITestOutputHelper output) : BackPressureTests("fifo", output);
