using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>
/// What a killed endpoint leaves in the directory — a lock file nobody holds, a life FIFO nobody holds open, its
/// doorbell — plus an accept FIFO the test reads, so it can pose as a listener that died or misbehaves.
/// Everything is removed on dispose.
/// </summary>
internal sealed unsafe class ForgedEndpoint : IDisposable
{
    private readonly ChannelNames _names;
    private readonly NamedSemaphore _doorbell;

    public ForgedEndpoint(string directory)
    {
        _names = new ChannelNames(directory);
        using (var claimed = EndpointDirectory.Claim(_names, 0))
            Port = ChannelNames.PortOf(Path.GetFileName(claimed.Path))!.Value;
        // The process "died": its lock file stays, unlocked, with what it wrote.
        File.WriteAllText(_names.Lock(Port), EndpointDirectory.LockInfo() + "\n");
        Posix.MakeFifo(_names.Life(Port));
        Posix.MakeFifo(_names.Accept(Port));
        Accept = Posix.Open(_names.Accept(Port), LibC.O_RDWR | LibC.O_NONBLOCK);
        _doorbell = NamedSemaphore.Create(_names.Doorbell(Port));
    }

    public int Port { get; }

    public ChannelNames Names => _names;

    /// <summary>The accept FIFO's read end (held open, so connectors can write their requests).</summary>
    public FileDescriptor Accept { get; }

    /// <summary>Waits for one connect request on the accept FIFO.</summary>
    public ConnectRequest ReadRequest(TimeSpan timeout)
    {
        var buffer = new byte[ConnectRequest.Length];
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            nint n;
            fixed (byte* p = buffer)
                n = LibC.Read(Accept.Fd, p, buffer.Length);
            if (n == buffer.Length)
                return ConnectRequest.TryRead(buffer, out string? error) ?? throw new InvalidDataException(error);
            Thread.Sleep(1);
        }
        throw new TimeoutException("no connect request arrived");
    }

    /// <summary>Writes a connect request to the listener on <paramref name="port"/>, as a connecting endpoint does.</summary>
    public static void SendRequest(ChannelNames names, int port, ConnectRequest request)
    {
        var buffer = new byte[ConnectRequest.Length];
        request.WriteTo(buffer);
        using var accept = Posix.Open(names.Accept(port), LibC.O_WRONLY | LibC.O_NONBLOCK);
        fixed (byte* p = buffer)
            if (LibC.Write(accept.Fd, p, buffer.Length) != buffer.Length)
                throw new IOException("connect request not written");
    }

    public void Dispose()
    {
        Posix.Unlink(_names.Accept(Port));
        Posix.Unlink(_names.Life(Port));
        Posix.Unlink(_names.Lock(Port));
        Accept.Dispose();
        _doorbell.Dispose();
    }
}
