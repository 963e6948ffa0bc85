using System.Collections.Concurrent;
using Akka.Remote.Transport;

namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>Collects what a handle delivers, without an actor in between (for high-volume tests).</summary>
public sealed class RecordingHandleListener : IHandleEventListener
{
    private readonly TaskCompletionSource _disassociated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<byte[]>? _onPayload;

    public RecordingHandleListener(Action<byte[]>? onPayload = null) => _onPayload = onPayload;

    /// <summary>Payloads, when no callback consumes them.</summary>
    public ConcurrentQueue<byte[]> Payloads { get; } = new();

    public int PayloadCount => _payloadCount;

    public Task Disassociated => _disassociated.Task;

    private int _payloadCount;

    public void Notify(IHandleEvent ev)
    {
        switch (ev)
        {
            case InboundPayload payload:
                var bytes = payload.Payload.ToByteArray();
                Interlocked.Increment(ref _payloadCount);
                if (_onPayload != null)
                    _onPayload(bytes);
                else
                    Payloads.Enqueue(bytes);
                break;
            case Akka.Remote.Transport.Disassociated:
                _disassociated.TrySetResult();
                break;
        }
    }
}
