using System.Diagnostics;

namespace ProducerConsumer;

/// <summary>
/// What the consumer actor has verified so far. Only the actor writes; the main thread reads it for progress, stall
/// detection and the summary, hence the volatile accesses.
/// </summary>
internal sealed class Tally(int producers)
{
    private readonly long[] _received = new long[producers];
    private long _first, _last; // Stopwatch timestamps of the first and latest message

    public int Producers => _received.Length;

    public long Received(int producer) => Volatile.Read(ref _received[producer]);

    public long Total => Enumerable.Range(0, _received.Length).Sum(Received);

    /// <summary>Time from the first message to the latest, so process start-up does not count.</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(Volatile.Read(ref _first), Volatile.Read(ref _last));

    public void Record(int producer)
    {
        long now = Stopwatch.GetTimestamp();
        if (_first == 0)
            Volatile.Write(ref _first, now);
        Volatile.Write(ref _last, now);
        Volatile.Write(ref _received[producer], _received[producer] + 1);
    }

    public string PerProducer() => string.Join(" ", Enumerable.Range(0, _received.Length).Select(p => $"p{p}={Received(p)}"));
}
