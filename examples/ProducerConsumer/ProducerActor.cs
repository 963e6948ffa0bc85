using Akka.Actor;

namespace ProducerConsumer;

/// <summary>
/// Sends messages 0..M-1 to the consumer, never more than <see cref="Options.Window"/> ahead of the last
/// acknowledgement. Completes <c>done</c> with null when all are acknowledged, or with the reason it cannot.
/// </summary>
internal sealed class ProducerActor : ReceiveActor
{
    private readonly IActorRef _consumer;
    private readonly Options _options;
    private readonly TaskCompletionSource<string?> _done;
    // Payloads are shared between messages, so they must never change after a Tell (serialization happens later,
    // on another thread). One per fill byte.
    private readonly byte[][] _payloads;
    private long _sent, _acked;

    public ProducerActor(IActorRef consumer, Options options, TaskCompletionSource<string?> done)
    {
        _consumer = consumer;
        _options = options;
        _done = done;
        _payloads = Enumerable.Range(0, 256).Select(b => Enumerable.Repeat((byte)b, options.Size).ToArray()).ToArray();

        Receive<Ack>(ack =>
        {
            _acked = Math.Max(_acked, ack.Received);
            if (_acked >= _options.Messages)
                _done.TrySetResult(null);
            else
                SendWindow();
        });
        // Remote death watch: the consumer's system stopped or became unreachable.
        Receive<Terminated>(_ => _done.TrySetResult("the consumer terminated before acknowledging every message"));
    }

    protected override void PreStart()
    {
        Context.Watch(_consumer);
        SendWindow();
    }

    private void SendWindow()
    {
        while (_sent < _options.Messages && _sent - _acked < _options.Window)
        {
            _consumer.Tell(new Item(_options.Id, _sent, _payloads[(byte)_sent]), Self);
            _sent++;
        }
    }
}
