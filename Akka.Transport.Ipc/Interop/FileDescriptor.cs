using System.Runtime.InteropServices;

namespace Akka.Transport.Ipc.Interop;

/// <summary>An owned POSIX file descriptor, closed exactly once.</summary>
internal sealed class FileDescriptor : SafeHandle
{
    public FileDescriptor(int fd) : base(new IntPtr(-1), ownsHandle: true) => SetHandle(new IntPtr(fd));

    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>The raw descriptor; valid while this object is not disposed.</summary>
    public int Fd => (int)handle.ToInt64();

    protected override bool ReleaseHandle() => LibC.Close((int)handle.ToInt64()) == 0;
}
