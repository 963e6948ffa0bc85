using System.Runtime.InteropServices;
using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Tests.Primitives;

/// <summary>
/// A ring in anonymous memory with an inaccessible page right after it: a read or write past the ring's end
/// crashes the test run instead of passing silently.
/// </summary>
internal sealed unsafe partial class GuardedRing : IDisposable
{
    private const int PageSize = 4096;
    private readonly nint _mapping;
    private readonly nuint _length;

    public GuardedRing(int capacity, int maxFrame = 1 << 20)
    {
        Capacity = capacity;
        long ringLength = RingLayout.TotalLength(capacity);
        long usable = (ringLength + PageSize - 1) / PageSize * PageSize;
        _length = (nuint)(usable + PageSize);
        _mapping = Mmap(0, _length, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
        if (_mapping == -1)
            throw new InvalidOperationException("mmap failed");
        if (Mprotect(_mapping + (nint)usable, PageSize, 0) != 0)
            throw new InvalidOperationException("mprotect failed");
        // Place the ring so that its last byte is the last byte before the guard page.
        Ring = (byte*)_mapping + (usable - ringLength);
        Writer = new RingWriter(Ring, capacity);
        Reader = new RingReader(Ring, capacity, maxFrame);
    }

    public int Capacity { get; }
    public byte* Ring { get; }
    public byte* Data => Ring + RingLayout.HeaderLength;
    public RingWriter Writer { get; }
    public RingReader Reader { get; }

    public ref long Tail => ref *(long*)(Ring + RingLayout.TailOffset);
    public ref long Head => ref *(long*)(Ring + RingLayout.HeadOffset);

    /// <summary>Reads everything published, returning the frames (copied).</summary>
    public List<byte[]> ReadAll(int frameLimit = int.MaxValue)
    {
        var collector = new Collector();
        Reader.Read(ref collector, frameLimit);
        return collector.Frames;
    }

    public void Dispose() => Munmap(_mapping, _length);

    private const int ProtRead = 1, ProtWrite = 2, MapPrivate = 2, MapAnonymous = 0x20;

    [LibraryImport("libc", EntryPoint = "mmap")]
    private static partial nint Mmap(nint addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "mprotect")]
    private static partial int Mprotect(nint addr, nuint length, int prot);

    [LibraryImport("libc", EntryPoint = "munmap")]
    private static partial int Munmap(nint addr, nuint length);

    internal struct Collector : IFrameHandler
    {
        public List<byte[]> Frames;

        public Collector() => Frames = new List<byte[]>();

        public void OnFrame(ReadOnlySpan<byte> frame, byte[]? owned) => Frames.Add(owned ?? frame.ToArray());
    }
}
