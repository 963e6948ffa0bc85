using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Tests.Transport;

/// <summary>
/// A live endpoint that never answers: it holds a port's lock, accept FIFO (open, never read), life FIFO and
/// doorbell, as a real listener does, so connectors see it alive and offer it associations nobody accepts.
/// Dispose removes all of it.
/// </summary>
internal sealed class ForgedListener : IDisposable
{
    private readonly ChannelNames _names;
    private readonly EndpointLock _lock;
    private readonly FileDescriptor _accept;
    private readonly FileDescriptor _life;
    private readonly NamedSemaphore _doorbell;

    public ForgedListener(string directory)
    {
        _names = new ChannelNames(directory);
        _lock = EndpointDirectory.Claim(_names, 0);
        Port = ChannelNames.PortOf(Path.GetFileName(_lock.Path))!.Value;
        Posix.MakeFifo(_names.Accept(Port));
        Posix.MakeFifo(_names.Life(Port));
        _accept = Posix.Open(_names.Accept(Port), LibC.O_RDWR | LibC.O_NONBLOCK);
        _life = Posix.Open(_names.Life(Port), LibC.O_RDWR | LibC.O_NONBLOCK);
        _doorbell = NamedSemaphore.Create(_names.Doorbell(Port));
    }

    public int Port { get; }

    /// <summary>The names this endpoint holds in the directory.</summary>
    public string[] FileNames => [$"{Port}.accept", $"{Port}.life", $"{Port}.lock"];

    public void Dispose()
    {
        Posix.Unlink(_names.Accept(Port));
        Posix.Unlink(_names.Life(Port));
        _accept.Dispose();
        _life.Dispose();
        _doorbell.Dispose();
        NamedSemaphore.Unlink(_names.Doorbell(Port));
        _lock.Dispose();
    }
}
