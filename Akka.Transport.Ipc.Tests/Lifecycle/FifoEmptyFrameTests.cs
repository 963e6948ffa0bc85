using Akka.Transport.Ipc.Tests.Infrastructure;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Lifecycle;

/// <summary>Over FIFOs too, queued empty frames count against send-queue-limit (each costs its length header).</summary>
public sealed class FifoEmptyFrameTests(ITestOutputHelper output) : TransportTestKit("fifo", output)
{
    [Fact]
    public async Task Queued_empty_frames_count_against_send_queue_limit()
    {
        // Nobody reads (no read handler): the pipe fills with 4-byte headers, then frames queue.
        var (outbound, _) = await ConnectedPairAsync("ring-size = 4KiB\nsend-queue-limit = 64KiB\nflush-timeout = 1s");
        const int ceiling = 1_000_000;
        int accepted = 0;
        while (accepted < ceiling && outbound.Write(ByteString.Empty))
            accepted++;

        Output?.WriteLine($"accepted {accepted} empty frames before back-pressure");
        Assert.True(accepted < ceiling, $"{ceiling} empty frames were queued without ever reaching send-queue-limit");
        // The pipe holds at most 64 KiB (4 KiB asked; the kernel's default when the resize is refused) of 4-byte
        // headers; the queue at most 64 KiB / 4 frames.
        Assert.InRange(accepted, 1, 65536 / 4 + 65536 / 4 + 1);
    }
}
