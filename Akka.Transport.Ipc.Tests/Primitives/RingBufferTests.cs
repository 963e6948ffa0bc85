using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Tests.Primitives;

public sealed class RingBufferTests
{
    private static byte[] Frame(int length, int seed)
    {
        var frame = new byte[length];
        for (int i = 0; i < length; i++)
            frame[i] = (byte)(seed * 31 + i * 7);
        return frame;
    }

    private static bool WriteWhole(RingWriter writer, byte[] frame)
    {
        int written = 0;
        return writer.TryWrite(frame, ref written);
    }

    [Fact]
    public void An_empty_ring_reads_nothing()
    {
        using var ring = new GuardedRing(4096);
        Assert.False(ring.Reader.HasData);
        Assert.Empty(ring.ReadAll());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(503)]
    public void Frames_of_any_small_size_come_back_unchanged(int length)
    {
        using var ring = new GuardedRing(4096);
        var frame = Frame(length, 1);
        Assert.True(WriteWhole(ring.Writer, frame));
        Assert.True(ring.Reader.HasData);
        Assert.Equal(new[] { frame }, ring.ReadAll());
        Assert.False(ring.Reader.HasData);
    }

    [Fact]
    public void A_full_ring_refuses_the_write_and_accepts_it_once_read()
    {
        using var ring = new GuardedRing(4096);
        var frame = Frame(400, 2); // 408 B record, aligned 408
        int accepted = 0;
        while (WriteWhole(ring.Writer, frame))
            accepted++;
        Assert.Equal(4096 / 408, accepted);
        Assert.True(ring.Writer.FreeBytes < 408);

        Assert.Equal(accepted, ring.ReadAll().Count);
        Assert.Equal(4096, ring.Writer.FreeBytes);
        Assert.True(WriteWhole(ring.Writer, frame));
    }

    [Fact]
    public unsafe void A_record_that_would_straddle_the_end_is_preceded_by_padding()
    {
        using var ring = new GuardedRing(4096);
        var big = Frame(500, 3); // 512 B records
        for (int i = 0; i < 7; i++)
            Assert.True(WriteWhole(ring.Writer, big));
        Assert.Equal(7, ring.ReadAll().Count); // tail = head = 3584: 512 bytes left before the end
        var bigger = Frame(504, 4); // 512 B record: fits exactly, no padding
        Assert.True(WriteWhole(ring.Writer, bigger));
        var odd = Frame(100, 5);
        Assert.True(WriteWhole(ring.Writer, odd)); // starts at offset 0 again
        Assert.Equal(new[] { bigger, odd }, ring.ReadAll());

        // Now tail is at 4096 + 112: fill so the next record cannot fit before the end.
        for (int i = 0; i < 7; i++)
            Assert.True(WriteWhole(ring.Writer, big));
        ring.ReadAll();
        long tail = ring.Tail;
        int offset = (int)(tail & 4095);
        Assert.True(4096 - offset < 512);
        Assert.True(WriteWhole(ring.Writer, big));
        Assert.Equal(RecordLayout.Padding, *(int*)(ring.Data + offset + RecordLayout.TypeOffset));
        Assert.Equal(4096 - offset, *(int*)(ring.Data + offset));
        Assert.Equal(new[] { big }, ring.ReadAll());
    }

    [Fact]
    public void A_frame_larger_than_the_ring_passes_in_fragments()
    {
        using var ring = new GuardedRing(4096, maxFrame: 64 * 1024);
        var frame = Frame(3 * 4096 + 123, 6);
        int written = 0;
        var received = new List<byte[]>();
        int rounds = 0;
        while (!ring.Writer.TryWrite(frame, ref written))
        {
            Assert.InRange(written, 0, frame.Length);
            received.AddRange(ring.ReadAll());
            Assert.True(rounds++ < 1000);
        }
        received.AddRange(ring.ReadAll());
        Assert.Equal(new[] { frame }, received);
    }

    [Fact]
    public void Random_frames_and_interleavings_match_a_reference_queue()
    {
        var random = new Random(12345);
        for (int run = 0; run < 40; run++)
        {
            int capacity = 4096 << random.Next(0, 4);
            using var ring = new GuardedRing(capacity, maxFrame: 4 * capacity);
            var expected = new Queue<byte[]>();
            byte[]? current = null;
            int written = 0;
            int seed = 0;
            for (int step = 0; step < 300; step++)
            {
                if (random.Next(3) != 0)
                {
                    current ??= Frame(random.Next(4) == 0 ? random.Next(2 * capacity) : random.Next(300), seed++);
                    if (ring.Writer.TryWrite(current, ref written))
                    {
                        expected.Enqueue(current);
                        current = null;
                        written = 0;
                    }
                }
                else
                {
                    int limit = random.Next(1, 8);
                    var collector = new GuardedRing.Collector();
                    ring.Reader.Read(ref collector, limit);
                    Assert.True(collector.Frames.Count <= limit);
                    foreach (var frame in collector.Frames)
                        Assert.Equal(expected.Dequeue(), frame);
                }
            }
            while (current != null)
            {
                foreach (var frame in ring.ReadAll())
                    Assert.Equal(expected.Dequeue(), frame);
                if (ring.Writer.TryWrite(current, ref written))
                {
                    expected.Enqueue(current);
                    current = null;
                }
            }
            foreach (var frame in ring.ReadAll())
                Assert.Equal(expected.Dequeue(), frame);
            Assert.Empty(expected);
        }
    }

    /// <summary>
    /// The real SPSC case: a producer thread and a consumer thread on one ring, concurrently, through wrap-around,
    /// padding and fragmentation. Every frame arrives once, in order, with its content, which fails if a record is
    /// published before its payload is written or its space is released before it is read. The consumer checks
    /// frames in place (no copy), so it keeps up with the producer and reads records right as they are published,
    /// where such races show.
    /// </summary>
    [Fact]
    public async Task A_producer_and_a_consumer_on_two_threads_see_every_frame_once_in_order_with_its_content()
    {
        const int Frames = 300_000;
        using var ring = new GuardedRing(16 * 1024, maxFrame: 64 * 1024);

        bool consumerDone = false; // the producer must stop before the ring is unmapped
        var producer = Task.Factory.StartNew(() =>
        {
            for (int seq = 0; seq < Frames; seq++)
            {
                var frame = SequencedFrame(seq);
                int written = 0;
                var spin = new SpinWait();
                while (!ring.Writer.TryWrite(frame, ref written))
                {
                    if (Volatile.Read(ref consumerDone))
                        return;
                    spin.SpinOnce(sleep1Threshold: -1);
                }
            }
        }, TaskCreationOptions.LongRunning);

        var consumer = Task.Factory.StartNew(() =>
        {
            var checker = new SequenceChecker();
            var spin = new SpinWait();
            while (checker.Next < Frames && checker.Error == null)
            {
                if (ring.Reader.Read(ref checker, 32) > 0)
                    continue;
                if (producer.IsFaulted)
                    break;
                spin.SpinOnce(sleep1Threshold: -1);
            }
            Volatile.Write(ref consumerDone, true);
            return checker;
        }, TaskCreationOptions.LongRunning);

        bool finished = await consumer.CompletesWithin(TimeSpan.FromSeconds(120));
        Volatile.Write(ref consumerDone, true);
        Assert.True(await producer.CompletesWithin(TimeSpan.FromSeconds(30)), "the producer did not stop");
        Assert.True(finished, "the consumer did not finish");
        Assert.True((await consumer).Error == null, (await consumer).Error);
        Assert.Equal(Frames, (await consumer).Next);
        Assert.False(ring.Reader.HasData);
    }

    /// <summary>Mostly whole records up to the 2 KiB record limit of a 16 KiB ring, every 97th fragmented.</summary>
    private static int SequencedLength(int seq) => seq % 97 == 0 ? 2000 + seq % 20_000 : 4 + seq % 2000;

    private static byte[] SequencedFrame(int seq)
    {
        var frame = Frame(SequencedLength(seq), seq);
        BitConverter.TryWriteBytes(frame, seq);
        return frame;
    }

    /// <summary>Checks each frame in place against <see cref="SequencedFrame"/> of the next number.</summary>
    private struct SequenceChecker : IFrameHandler
    {
        public int Next;
        public string? Error;

        public void OnFrame(ReadOnlySpan<byte> frame, byte[]? owned)
        {
            int seq = Next++;
            if (Error != null)
                return;
            if (frame.Length != SequencedLength(seq) || BitConverter.ToInt32(frame) != seq)
            {
                Error = $"frame {seq}: {frame.Length} bytes starting with {(frame.Length >= 4 ? BitConverter.ToInt32(frame) : -1)}, expected {SequencedLength(seq)} bytes starting with {seq}";
                return;
            }
            for (int i = 4; i < frame.Length; i++)
            {
                if (frame[i] != (byte)(seq * 31 + i * 7))
                {
                    Error = $"frame {seq}: byte {i} of {frame.Length} is {frame[i]}, expected {(byte)(seq * 31 + i * 7)}";
                    return;
                }
            }
        }
    }

    [Fact]
    public unsafe void A_writer_that_dies_between_writing_and_publishing_a_record_leaves_nothing_visible()
    {
        using var ring = new GuardedRing(4096);
        Assert.True(WriteWhole(ring.Writer, Frame(10, 1)));
        // What a dying writer leaves: a complete-looking record after the published tail, never published.
        long tail = ring.Tail;
        *(int*)(ring.Data + tail + RecordLayout.LengthOffset) = RecordLayout.HeaderLength + 20;
        *(int*)(ring.Data + tail + RecordLayout.TypeOffset) = RecordLayout.Whole;

        Assert.Equal(new[] { Frame(10, 1) }, ring.ReadAll());
        Assert.False(ring.Reader.HasData);
        Assert.Empty(ring.ReadAll());
    }

    [Fact]
    public void A_fragmented_frame_whose_end_never_comes_is_not_delivered_and_does_not_block_reading()
    {
        using var ring = new GuardedRing(4096, maxFrame: 64 * 1024);
        int written = 0;
        Assert.False(ring.Writer.TryWrite(Frame(3 * 4096, 2), ref written)); // the writer "dies" after the first fragments
        Assert.InRange(written, 1, 3 * 4096 - 1);
        Assert.Empty(ring.ReadAll());
        Assert.False(ring.Reader.HasData); // nothing left to spin on: the reader sleeps until the owner closes the channel
    }

    [Fact]
    public void Sleep_and_space_requests_wake_exactly_once()
    {
        using var ring = new GuardedRing(4096);
        Assert.False(ring.Writer.TakeConsumerWakeRequest());
        ring.Reader.PrepareToSleep();
        Assert.True(ring.Writer.TakeConsumerWakeRequest());
        Assert.False(ring.Writer.TakeConsumerWakeRequest());

        Assert.False(ring.Reader.TakeProducerWakeRequest());
        ring.Writer.RequestSpaceNotification();
        Assert.True(ring.Reader.TakeProducerWakeRequest());
        Assert.False(ring.Reader.TakeProducerWakeRequest());
    }
}
