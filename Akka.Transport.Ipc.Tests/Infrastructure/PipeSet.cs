using Akka.Transport.Ipc.Interop;

namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>
/// Many fresh non-blocking pipes. Opened right after something closed descriptors, they take the freed numbers
/// (the kernel hands out the lowest free one), so a late write through a stale number lands in one of them.
/// </summary>
internal sealed unsafe class PipeSet : IDisposable
{
    private readonly List<(FileDescriptor Read, FileDescriptor Write)> _pipes = new();

    public PipeSet(int count = 64)
    {
        int* fds = stackalloc int[2];
        for (int i = 0; i < count; i++)
        {
            if (LibC.Pipe2(fds, LibC.O_NONBLOCK | LibC.O_CLOEXEC) != 0)
                throw new IpcSystemException("pipe2", "test", LibC.Errno);
            _pipes.Add((new FileDescriptor(fds[0]), new FileDescriptor(fds[1])));
        }
    }

    /// <summary>Bytes waiting in all the pipes together (each is drained).</summary>
    public int DrainAll()
    {
        int total = 0;
        byte* buffer = stackalloc byte[4096];
        foreach (var (read, _) in _pipes)
        {
            nint n;
            while ((n = LibC.Read(read.Fd, buffer, 4096)) > 0)
                total += (int)n;
        }
        return total;
    }

    public void Dispose()
    {
        foreach (var (read, write) in _pipes)
        {
            read.Dispose();
            write.Dispose();
        }
    }
}
