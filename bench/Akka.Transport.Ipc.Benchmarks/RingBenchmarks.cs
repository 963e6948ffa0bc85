using System.Runtime.InteropServices;
using Akka.Transport.Ipc.Primitives;
using BenchmarkDotNet.Attributes;

namespace Akka.Transport.Ipc.Benchmarks;

/// <summary>
/// One frame written to a ring and read back per operation, on one thread (no cross-core traffic): the cost of
/// the ring code itself. The ring is 1 MiB (the transport's default ring-size is 512 KiB), so its largest whole record is
/// 128 KiB and the 200 KiB frame goes as BEGIN + END fragments (which the reader reassembles into a new array).
/// </summary>
[MemoryDiagnoser]
public unsafe class RingBenchmarks
{
    private const int Capacity = 1 << 20;

    private byte* _ring;
    private RingWriter _writer = null!;
    private RingReader _reader = null!;
    private byte[] _frame = null!;

    [Params(64, 1024, 16 * 1024, 200 * 1024)]
    public int FrameSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        nuint length = (nuint)RingLayout.TotalLength(Capacity);
        _ring = (byte*)NativeMemory.AlignedAlloc(length, 64);
        NativeMemory.Clear(_ring, length);
        _writer = new RingWriter(_ring, Capacity);
        _reader = new RingReader(_ring, Capacity, 1 << 20);
        _frame = new byte[FrameSize];
        Random.Shared.NextBytes(_frame);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        NativeMemory.AlignedFree(_ring);
        _ring = null;
    }

    [Benchmark(Description = "write+read one frame")]
    public long WriteRead()
    {
        int written = 0;
        if (!_writer.TryWrite(_frame, ref written))
            throw new InvalidOperationException("ring full");
        var handler = new Sink();
        while (handler.Frames == 0)
            _reader.Read(ref handler, 1);
        return handler.Bytes;
    }

    private struct Sink : IFrameHandler
    {
        public int Frames;
        public long Bytes;

        public void OnFrame(ReadOnlySpan<byte> frame, byte[]? owned)
        {
            Frames++;
            Bytes += frame.Length + frame[^1];
        }
    }
}
