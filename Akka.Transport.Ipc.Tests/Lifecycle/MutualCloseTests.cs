using System.Diagnostics;
using Akka.Remote.Transport;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Lifecycle;

/// <summary>
/// Two sides that close an association with frames still queued towards each other, neither reading: the close
/// finishes once the peer has closed (or will never read), instead of each side waiting the whole flush-timeout.
/// </summary>
public abstract class MutualCloseTests(string mode, ITestOutputHelper output) : TransportTestKit(mode, output)
{
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Far below <see cref="FlushTimeout"/>; Shutdown adds up to a second of grace for Akka.Remote itself.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Both_sides_closing_with_frames_queued_finish_well_before_the_flush_timeout()
    {
        var (outbound, inbound) = await ConnectedPairAsync($"ring-size = 4KiB\nflush-timeout = {FlushTimeout.TotalSeconds}s");
        // No read handler on either side: nothing is read, so each side's frames fill the other's ring (or pipe)
        // and then queue. 64 frames of 256 B each way are four times what a 4 KiB ring or pipe holds.
        var frame = ByteString.CopyFrom(new byte[256]);
        foreach (var handle in new[] { outbound, inbound })
            for (int i = 0; i < 64; i++)
                Assert.True(handle.Write(frame), $"write {i} refused");

        var clock = Stopwatch.StartNew();
#pragma warning disable CS0618 // the SPI's Disassociate, as Akka.Remote calls it
        outbound.Disassociate();
        inbound.Disassociate();
#pragma warning restore CS0618
        // Shutdown returns once every channel completed (or after the flush-timeout): it measures the close.
        var shutdowns = Transports.Select(async transport =>
        {
            // Its result may be false: frames still queued towards a side that closed without reading are dropped.
            await transport.Shutdown().WaitAsync(Timeout);
            return clock.Elapsed;
        }).ToList();
        var durations = await Task.WhenAll(shutdowns);

        Output?.WriteLine($"{Mode}: both sides closed after {string.Join(" and ", durations.Select(d => $"{d.TotalMilliseconds:F0} ms"))}");
        Assert.All(durations, d => Assert.True(d < Bound, $"a side took {d.TotalSeconds:F1} s to close (flush-timeout {FlushTimeout.TotalSeconds} s)"));
    }
}

public sealed class ShmMutualCloseTests(ITestOutputHelper output) : MutualCloseTests("shm", output);

public sealed class FifoMutualCloseTests(ITestOutputHelper output) : MutualCloseTests("fifo", output);
