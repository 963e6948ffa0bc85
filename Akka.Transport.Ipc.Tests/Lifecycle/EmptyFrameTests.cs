using System.Diagnostics;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Lifecycle;

/// <summary>
/// A zero-length frame is a frame like any other over shared memory: it wakes a sleeping reader at once (not on
/// the receiver's 200 ms safety-net wake-up), and queued empty frames count against send-queue-limit.
/// </summary>
public sealed class EmptyFrameTests(ITestOutputHelper output) : TransportTestKit("shm", output)
{
    /// <summary>An eighth of the receiver's 200 ms safety-net sleep, far above a doorbell wake-up (~20 µs).</summary>
    private static readonly TimeSpan Prompt = TimeSpan.FromMilliseconds(25);

    private const int Rounds = 12;

    /// <summary>
    /// Rounds that must be prompt. Woken only by the safety net, a round is prompt with p = 25/200, so 9 of 12 by
    /// chance has p ≈ 2·10⁻⁶; a doorbell makes every round prompt, and 3 rounds may still stall on a loaded machine.
    /// </summary>
    private const int PromptRoundsRequired = 9;

    [Fact]
    public async Task An_empty_frame_wakes_a_sleeping_reader_at_once_every_time()
    {
        var (outbound, inbound) = await ConnectedPairAsync("ring-size = 64KiB");
        using var arrived = new SemaphoreSlim(0);
        long arrivedAt = 0; // taken on the receiver thread, so thread-pool delays in this test do not count
        var listener = new RecordingHandleListener(payload =>
        {
            Assert.Empty(payload);
            Volatile.Write(ref arrivedAt, Stopwatch.GetTimestamp());
            arrived.Release();
        });
        inbound.ReadHandlerSource.SetResult(listener);

        var latencies = new List<TimeSpan>();
        for (int round = 0; round < Rounds; round++)
        {
            // Long enough for the receiver to spin, yield and block on its doorbell; a random phase against its
            // 200 ms safety-net wake-up, so prompt arrivals cannot come from that wake-up.
            await Task.Delay(250 + Random.Shared.Next(200));
            long writtenAt = Stopwatch.GetTimestamp();
            Assert.True(outbound.Write(ByteString.Empty));
            Assert.True(await arrived.WaitAsync(Timeout), $"round {round}: the empty frame never arrived");
            latencies.Add(Stopwatch.GetElapsedTime(writtenAt, Volatile.Read(ref arrivedAt)));
        }

        Output?.WriteLine("latencies (ms): " + string.Join(", ", latencies.Select(l => l.TotalMilliseconds.ToString("F2"))));
        int prompt = latencies.Count(latency => latency < Prompt);
        Assert.True(prompt >= PromptRoundsRequired,
            $"only {prompt} of {Rounds} empty frames woke the sleeping reader within {Prompt.TotalMilliseconds} ms");
        Assert.Equal(Rounds, listener.PayloadCount);
    }

    [Fact]
    public async Task Queued_empty_frames_count_against_send_queue_limit()
    {
        // Nobody reads (no read handler): the 4 KiB ring fills with 8-byte records, then frames queue.
        var (outbound, _) = await ConnectedPairAsync("ring-size = 4KiB\nsend-queue-limit = 64KiB\nflush-timeout = 1s");
        const int ceiling = 1_000_000;
        int accepted = 0;
        while (accepted < ceiling && outbound.Write(ByteString.Empty))
            accepted++;

        Output?.WriteLine($"accepted {accepted} empty frames before back-pressure");
        Assert.True(accepted < ceiling, $"{ceiling} empty frames were queued without ever reaching send-queue-limit");
        // The ring holds 4096 / 8 = 512 records; the queue at least 64 KiB / 8 (record header) = 8192 frames.
        Assert.InRange(accepted, 512, 512 + 8192 + 1);
    }
}
