using System.Buffers.Binary;
using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Tests.Primitives;

public sealed class StreamFrameDecoderTests
{
    private static byte[] Encode(params byte[][] frames)
    {
        var stream = new List<byte>();
        foreach (var frame in frames)
        {
            var header = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(header, frame.Length);
            stream.AddRange(header);
            stream.AddRange(frame);
        }
        return stream.ToArray();
    }

    private static byte[] Frame(int length, int seed) => Enumerable.Range(0, length).Select(i => (byte)(i * 7 + seed)).ToArray();

    [Fact]
    public void Frames_split_at_every_possible_point_are_reassembled_in_order()
    {
        var frames = new[] { Frame(0, 1), Frame(1, 2), Frame(300, 3), Frame(5, 4) };
        var stream = Encode(frames);
        var random = new Random(7);
        for (int run = 0; run < 2000; run++)
        {
            var decoder = new StreamFrameDecoder(1024);
            var collector = new GuardedRing.Collector();
            for (int offset = 0; offset < stream.Length;)
            {
                int piece = Math.Min(stream.Length - offset, 1 + random.Next(run % 2 == 0 ? 3 : 400));
                decoder.Decode(stream.AsSpan(offset, piece), ref collector);
                offset += piece;
            }
            Assert.Equal(frames, collector.Frames);
            Assert.False(decoder.IsMidFrame);
        }
    }

    private const int OneMiB = 1 << 20;

    /// <summary>
    /// Claimed lengths over a 1 MiB limit, up to 64 MiB: a decoder that allocated the claimed size before checking
    /// it would show megabytes on this thread's allocation counter (int.MaxValue alone would only throw).
    /// </summary>
    [Theory]
    [InlineData(-2)]
    [InlineData(int.MinValue)]
    [InlineData(OneMiB + 1)]
    [InlineData(2 * OneMiB)]
    [InlineData(64 * OneMiB)]
    [InlineData(int.MaxValue)]
    public void An_impossible_length_is_rejected_before_anything_is_allocated(int length)
    {
        var decoder = new StreamFrameDecoder(OneMiB);
        var header = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(header, length);
        var collector = new GuardedRing.Collector();
        InvalidDataException? error = null;
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            decoder.Decode(header, ref collector);
        }
        catch (InvalidDataException e)
        {
            error = e;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.NotNull(error);
        Assert.True(allocated < 64 * 1024, $"{allocated} bytes allocated for a bogus length of {length}");
        Assert.Equal($"malformed frame: length {length} (maximum {OneMiB})", error.Message);
        Assert.Empty(collector.Frames);
    }

    [Fact]
    public void The_close_marker_ends_the_stream_and_nothing_after_it_is_read()
    {
        var decoder = new StreamFrameDecoder(1024);
        var collector = new GuardedRing.Collector();
        var stream = Encode(Frame(3, 1)).Concat(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }).Concat(Encode(Frame(2, 2))).ToArray();
        decoder.Decode(stream, ref collector);
        Assert.True(decoder.Closed);
        Assert.Single(collector.Frames);
    }
}
