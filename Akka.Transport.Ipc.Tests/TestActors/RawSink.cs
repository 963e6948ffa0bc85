using Akka.Actor;
using Akka.Configuration;
using Akka.Remote.Transport;

namespace Akka.Transport.Ipc.Tests.TestActors;

/// <summary>
/// A bare <see cref="IpcTransport"/> in a node, beside its remoting, on the node's own transport settings and a
/// free port: a test drives its own transport against it through the SPI and sees exactly what <c>Write</c> does,
/// while the node can be frozen or killed like any process. Every frame must be <see cref="Frame"/>(n) for
/// consecutive n across all inbound associations, each once. The transport shuts down with the ActorSystem.
/// </summary>
public sealed class RawSink : IAssociationEventListener, IHandleEventListener
{
    private readonly IpcTransport _transport;
    private long _received;
    private volatile string? _error;

    private RawSink(IpcTransport transport, int port)
    {
        _transport = transport;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Frames received so far, each once and in order; throws once one was not.</summary>
    public long Received => _error is { } error ? throw new InvalidOperationException(error) : Interlocked.Read(ref _received);

    public static async Task<RawSink> StartAsync(ActorSystem system)
    {
        var section = ConfigurationFactory.ParseString("port = 0").WithFallback(system.Settings.Config.GetConfig("akka.remote.ipc"));
        var transport = new IpcTransport(system, section);
        var (address, promise) = await transport.Listen();
        var sink = new RawSink(transport, address.Port!.Value);
        promise.SetResult(sink);
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "raw-sink",
            async () =>
            {
                await transport.Shutdown();
                return Done.Instance;
            });
        return sink;
    }

    /// <summary>The frame with sequence number <paramref name="seq"/>: 1 KiB, the number, then a pattern of it.</summary>
    public static byte[] Frame(int seq)
    {
        var bytes = new byte[1024];
        BitConverter.TryWriteBytes(bytes, seq);
        for (int i = 4; i < bytes.Length; i++)
            bytes[i] = (byte)(seq + i);
        return bytes;
    }

    void IAssociationEventListener.Notify(IAssociationEvent ev)
    {
        if (ev is InboundAssociation inbound)
            inbound.Association.ReadHandlerSource.SetResult(this);
    }

    void IHandleEventListener.Notify(IHandleEvent ev)
    {
        if (ev is not InboundPayload payload || _error != null)
            return;
        var bytes = payload.Payload.ToByteArray();
        long expected = Interlocked.Read(ref _received);
        if (bytes.Length != 1024 || BitConverter.ToInt32(bytes, 0) != expected || !bytes.AsSpan().SequenceEqual(Frame((int)expected)))
        {
            _error = $"frame {expected}: got {bytes.Length} bytes numbered {(bytes.Length >= 4 ? BitConverter.ToInt32(bytes, 0) : -1)}";
            return;
        }
        Interlocked.Increment(ref _received);
    }
}
