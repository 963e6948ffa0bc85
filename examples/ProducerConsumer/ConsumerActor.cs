using Akka.Actor;

namespace ProducerConsumer;

/// <summary>
/// Checks every producer's stream (consecutive from 0, right payload, exactly M messages) and acknowledges every
/// <see cref="Options.AckEvery"/> messages and the last one. Completes <c>done</c> with null once every producer is
/// complete, or with the first problem found.
/// </summary>
internal sealed class ConsumerActor : ReceiveActor
{
    private readonly Options _options;
    private readonly Tally _tally;
    private readonly TaskCompletionSource<string?> _done;
    private int _complete;

    public ConsumerActor(Options options, Tally tally, TaskCompletionSource<string?> done)
    {
        _options = options;
        _tally = tally;
        _done = done;
        Receive<Item>(OnItem);
    }

    private void OnItem(Item item)
    {
        if (_done.Task.IsCompleted)
            return; // already failed (or finished): report only the first problem
        string? problem = Check(item);
        if (problem != null)
        {
            _done.TrySetResult($"producer {item.Producer}: {problem}");
            return;
        }
        _tally.Record(item.Producer);
        long received = item.Seq + 1;
        if (received % _options.AckEvery == 0 || received == _options.Messages)
            Sender.Tell(new Ack(received));
        if (received == _options.Messages && ++_complete == _options.Producers)
            _done.TrySetResult(null);
    }

    private string? Check(Item item)
    {
        if ((uint)item.Producer >= (uint)_options.Producers)
            return "no such producer";
        long expected = _tally.Received(item.Producer);
        if (expected == _options.Messages)
            return $"message {item.Seq} arrived after all {_options.Messages} expected";
        if (item.Seq != expected)
            return $"expected message {expected}, got {item.Seq}";
        if (item.Payload.Length != _options.Size)
            return $"message {item.Seq} has {item.Payload.Length} payload bytes, expected {_options.Size}";
        if (item.Payload.AsSpan().IndexOfAnyExcept((byte)item.Seq) >= 0)
            return $"message {item.Seq} has a corrupt payload";
        return null;
    }
}
