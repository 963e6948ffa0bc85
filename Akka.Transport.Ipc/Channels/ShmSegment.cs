using System.Runtime.CompilerServices;
using System.Text;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Channels;

/// <summary>
/// An association segment (<see cref="SegmentLayout"/>) mapped into this process. The creator fills the header;
/// the opener validates every field against the file before trusting it.
/// </summary>
internal sealed unsafe class ShmSegment : IDisposable
{
    private readonly MappedMemory _memory;

    private ShmSegment(string path, MappedMemory memory, int ringCapacity)
    {
        Path = path;
        _memory = memory;
        RingCapacity = ringCapacity;
    }

    public string Path { get; }

    public int RingCapacity { get; }

    public byte* Base => _memory.Pointer;

    public byte* ClientToServerRing => Base + SegmentLayout.ClientToServerRing;

    public byte* ServerToClientRing => Base + SegmentLayout.ServerToClientRing(RingCapacity);

    /// <summary>
    /// Creates a new segment file (O_EXCL, 0600) with every page reserved, and writes the client's half of the
    /// header. A file system without room fails here with an <see cref="IpcSystemException"/> (e.g. ENOSPC from
    /// posix_fallocate) and leaves no file behind, instead of a sparse file whose first touch raises SIGBUS.
    /// </summary>
    public static ShmSegment Create(string path, int ringCapacity, int maxFrame, int clientPort)
    {
        long length = SegmentLayout.TotalLength(ringCapacity);
        using var fd = Posix.Open(path, LibC.O_RDWR | LibC.O_CREAT | LibC.O_EXCL);
        try
        {
            Reserve(fd, 0, length, path);
            var segment = new ShmSegment(path, MappedMemory.Map(fd, length, path), ringCapacity);
            segment.Int(SegmentLayout.VersionOffset) = SegmentLayout.Version;
            segment.Int(SegmentLayout.RingCapacityOffset) = ringCapacity;
            segment.Int(SegmentLayout.MaxFrameOffset) = maxFrame;
            segment.Int(SegmentLayout.ClientPortOffset) = clientPort;
            segment.Int(SegmentLayout.ClientPidOffset) = LibC.GetPid();
            Volatile.Write(ref Unsafe.AsRef<long>(segment.Base + SegmentLayout.MagicOffset), SegmentLayout.Magic);
            return segment;
        }
        catch
        {
            Posix.Unlink(path);
            throw;
        }
    }

    /// <summary>
    /// Opens a segment offered by a peer. Refuses (throws, with the reason) files of another owner, of a size that
    /// does not match their header, of another protocol version, or whose header is not in its initial state.
    /// Touches no page it has not reserved first: the header page is reserved before it is read (failure throws);
    /// the rest of the file is reserved before the rings are read. When the rings cannot be reserved (the peer left
    /// the file sparse and the file system is full), the segment is returned with <see cref="ReservationFailure"/>
    /// set: the caller must refuse it and may touch nothing but the header.
    /// </summary>
    public static ShmSegment Open(string path, int expectedClientPort)
    {
        using var fd = Posix.Open(path, LibC.O_RDWR | LibC.O_NOFOLLOW); // a peer names it: never follow a planted link
        var (uid, size, regular) = Posix.Describe(fd, path);
        if (!regular || uid != Posix.Uid)
            throw new InvalidDataException($"segment '{path}' is not a regular file owned by uid {Posix.Uid}");
        if (size < SegmentLayout.HeaderLength)
            throw new InvalidDataException($"segment '{path}' is {size} bytes, shorter than its header");
        Reserve(fd, 0, SegmentLayout.HeaderLength, path);

        var header = MappedMemory.Map(fd, size, path);
        try
        {
            byte* b = header.Pointer;
            long magic = Volatile.Read(ref Unsafe.AsRef<long>(b + SegmentLayout.MagicOffset));
            int version = *(int*)(b + SegmentLayout.VersionOffset);
            int capacity = *(int*)(b + SegmentLayout.RingCapacityOffset);
            int port = *(int*)(b + SegmentLayout.ClientPortOffset);
            if (magic != SegmentLayout.Magic)
                throw new InvalidDataException($"segment '{path}' has no valid magic");
            if (version != SegmentLayout.Version)
                throw new InvalidDataException($"segment '{path}' speaks protocol version {version}, this side speaks {SegmentLayout.Version}");
            if (!RingLayout.IsValidCapacity(capacity) || SegmentLayout.TotalLength(capacity) != size)
                throw new InvalidDataException($"segment '{path}' declares ring capacity {capacity}, which does not match its size {size}");
            if (port != expectedClientPort)
                throw new InvalidDataException($"segment '{path}' belongs to port {port}, not {expectedClientPort}");
            var segment = new ShmSegment(path, header, capacity);
            if (SegmentLayout.NotInitial(b) is { } headerField)
                throw new InvalidDataException($"segment '{path}' is not freshly offered: {headerField}");
            try
            {
                Reserve(fd, SegmentLayout.HeaderLength, size - SegmentLayout.HeaderLength, path);
            }
            catch (IpcSystemException e)
            {
                segment.ReservationFailure = $"cannot reserve the {size}-byte segment '{path}' on this side: {e.Message}";
                return segment;
            }
            if (SegmentLayout.NotInitial(b, capacity) is { } ringField)
                throw new InvalidDataException($"segment '{path}' is not freshly offered: {ringField}");
            return segment;
        }
        catch
        {
            header.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Why the pages past the header could not be reserved when the segment was opened, or null when every page is
    /// backed. When set, nothing but the header page may be touched.
    /// </summary>
    public string? ReservationFailure { get; private set; }

    /// <summary>
    /// posix_fallocate of [offset, offset + length): afterwards no access in that range can fault for lack of
    /// space. It returns the error number (not errno); EINTR is retried.
    /// </summary>
    private static void Reserve(FileDescriptor fd, long offset, long length, string path)
    {
        int error;
        while ((error = LibC.PosixFallocate(fd.Fd, offset, length)) == Errno.EINTR)
        {
        }
        if (error != 0)
            throw new IpcSystemException("posix_fallocate", path, error);
    }

    public ref int Int(int offset) => ref Unsafe.AsRef<int>(Base + offset);

    public int ReadVolatile(int offset) => Volatile.Read(ref Int(offset));

    public void WriteVolatile(int offset, int value) => Volatile.Write(ref Int(offset), value);

    /// <summary>Reads a length-prefixed UTF-8 field, clamping a corrupt length to the field.</summary>
    public string ReadText(int offset, int field)
    {
        int length = Math.Min(Base[offset], field - 1);
        return Encoding.UTF8.GetString(new ReadOnlySpan<byte>(Base + offset + 1, length));
    }

    public void WriteText(int offset, int field, string text)
    {
        var target = new Span<byte>(Base + offset + 1, field - 1);
        int length = Encoding.UTF8.GetByteCount(text) <= target.Length
            ? Encoding.UTF8.GetBytes(text, target)
            : Encoding.UTF8.GetBytes(text.AsSpan(0, Math.Min(text.Length, (field - 1) / 4)), target);
        Base[offset] = (byte)length;
    }

    public void Dispose() => _memory.Dispose();
}
