using System.Runtime.InteropServices;
using Akka.Transport.Ipc.Interop;

namespace Akka.Transport.Ipc.Primitives;

/// <summary>A shared read/write mapping of a whole file, unmapped exactly once.</summary>
internal sealed class MappedMemory : SafeHandle
{
    private MappedMemory(nint address, long length) : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(address);
        Length = length;
    }

    public long Length { get; }

    public override bool IsInvalid => handle == IntPtr.Zero;

    public unsafe byte* Pointer => (byte*)handle;

    public static MappedMemory Map(FileDescriptor fd, long length, string path)
    {
        nint address = LibC.Mmap(0, (nuint)length, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd.Fd, 0);
        if (address == LibC.MapFailed)
            throw new IpcSystemException("mmap", path, LibC.Errno);
        return new MappedMemory(address, length);
    }

    protected override bool ReleaseHandle() => LibC.Munmap(handle, (nuint)Length) == 0;
}
