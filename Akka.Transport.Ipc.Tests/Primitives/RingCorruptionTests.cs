using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Tests.Primitives;

/// <summary>
/// Whatever a broken or hostile peer writes into the ring, the reader rejects it with
/// <see cref="RingCorruptedException"/> and never touches memory outside the ring (the guard page would crash).
/// </summary>
public sealed class RingCorruptionTests
{
    private const int Capacity = 4096;

    private static GuardedRing RingWithOneFrame(int length = 100)
    {
        var ring = new GuardedRing(Capacity, maxFrame: 16 * 1024);
        int written = 0;
        Assert.True(ring.Writer.TryWrite(new byte[length], ref written));
        return ring;
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(Capacity + 8)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public unsafe void An_impossible_record_length_is_rejected(int length)
    {
        using var ring = RingWithOneFrame();
        *(int*)ring.Data = length;
        Assert.Throws<RingCorruptedException>(() => ring.ReadAll());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    [InlineData(99)]
    [InlineData(-5)]
    public unsafe void An_unknown_record_type_is_rejected(int type)
    {
        using var ring = RingWithOneFrame();
        *(int*)(ring.Data + RecordLayout.TypeOffset) = type;
        Assert.Throws<RingCorruptedException>(() => ring.ReadAll());
    }

    [Theory]
    [InlineData(-8)]
    [InlineData(3)]
    [InlineData(Capacity + 8)]
    [InlineData(long.MaxValue)]
    public void An_impossible_producer_position_is_rejected(long tail)
    {
        using var ring = RingWithOneFrame();
        ring.Tail = tail;
        Assert.Throws<RingCorruptedException>(() => ring.ReadAll());
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(16 * 1024 + 1L)]
    [InlineData(long.MaxValue)]
    public unsafe void A_fragmented_frame_announcing_an_impossible_length_is_rejected(long announced)
    {
        using var ring = new GuardedRing(Capacity, maxFrame: 16 * 1024);
        int written = 0;
        ring.Writer.TryWrite(new byte[2000], ref written); // > capacity/8: fragmented
        Assert.Equal(RecordLayout.Begin, *(int*)(ring.Data + RecordLayout.TypeOffset));
        *(long*)(ring.Data + RecordLayout.HeaderLength) = announced;
        Assert.Throws<RingCorruptedException>(() => ring.ReadAll());
    }

    /// <summary>
    /// The writer reads the consumer's position only when the space it knows of runs out (its head cache); then an
    /// impossible one is rejected. Until then it writes only into space that the last good position left free.
    /// </summary>
    [Fact]
    public void An_impossible_consumer_position_is_rejected_by_the_writer_when_it_next_reads_it()
    {
        using var ring = RingWithOneFrame();
        ring.Head = 1_000_000;
        int accepted = 0;
        var error = Record.Exception(() =>
        {
            for (int i = 0; i < Capacity; i++)
            {
                int written = 0;
                if (!ring.Writer.TryWrite(new byte[8], ref written))
                    break;
                accepted++;
            }
        });
        Assert.IsType<RingCorruptedException>(error);
        Assert.InRange(accepted * RecordLayout.Align(RecordLayout.HeaderLength + 8), 0, Capacity);
    }

    /// <summary>
    /// Random damage ends in frames or a corruption error, and the reader always goes idle: each ring is drained
    /// within a bounded number of calls and records (no more than fit in the ring), and a call that returns 0 leaves
    /// nothing to spin on. The whole loop runs under a watchdog, so a reader stuck inside one call fails the test
    /// instead of hanging the run. A reader that reports work without making progress (the receiver thread would
    /// never sleep) fails here.
    /// </summary>
    [Fact]
    public async Task Random_bytes_anywhere_in_the_ring_end_in_frames_or_a_corruption_error_and_never_a_spin()
    {
        const int MaxRecords = Capacity / RecordLayout.Alignment; // the smallest record is one aligned header
        int corrupted = 0, idle = 0;
        var work = Task.Factory.StartNew(() =>
        {
            var random = new Random(4242);
            for (int i = 0; i < 10_000; i++)
            {
                using var ring = new GuardedRing(Capacity, maxFrame: 16 * 1024);
                int written = 0;
                for (int f = 0; f < 1 + random.Next(6); f++, written = 0)
                    ring.Writer.TryWrite(new byte[random.Next(1500)], ref written);
                long total = RingLayout.TotalLength(Capacity);
                for (int hits = 1 + random.Next(4); hits > 0; hits--)
                {
                    unsafe
                    {
                        ring.Ring[random.NextInt64(total)] = (byte)random.Next(256);
                    }
                }
                try
                {
                    var collector = new GuardedRing.Collector();
                    int records = 0, calls = 0, last;
                    do
                    {
                        last = ring.Reader.Read(ref collector, 16);
                        records += last;
                        Assert.True(++calls <= MaxRecords + 1, $"iteration {i}: the reader still reports work after {calls} calls");
                        Assert.True(records <= MaxRecords, $"iteration {i}: {records} records read from a ring that holds at most {MaxRecords}");
                    }
                    while (last > 0);
                    Assert.False(ring.Reader.HasData, $"iteration {i}: Read returned 0 but the ring still shows data (the receiver would spin)");
                    idle++;
                }
                catch (RingCorruptedException)
                {
                    corrupted++;
                }
            }
        }, TaskCreationOptions.LongRunning);
        Assert.True(await Task.WhenAny(work, Task.Delay(TimeSpan.FromSeconds(120))) == work, "the reader did not finish: it spins inside a call");
        await work;
        Assert.True(corrupted > 0 && idle > 0, $"{corrupted} corrupt, {idle} drained: both outcomes must occur");
    }
}
