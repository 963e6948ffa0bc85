namespace Akka.Transport.Ipc.Primitives;

/// <summary>
/// Layout of one single-producer/single-consumer ring in shared memory. Each header word sits alone on a
/// 128-byte line pair so the producer and the consumer never false-share.
/// <code>
///   0  tail            long   producer position in bytes, monotonic; release-stored after records are written
/// 128  head            long   consumer position in bytes, monotonic; release-stored after records are copied out
/// 256  consumerAsleep  int    1 = consumer is about to block on its doorbell and wants a post
/// 384  producerWaiting int    1 = producer has queued frames and wants a post when space frees
/// 512  data            capacity bytes (power of two) of 8-byte aligned records, see <see cref="RecordLayout"/>
/// </code>
/// Publish protocol: a record is visible to the consumer once the tail has been release-stored past it, so a
/// producer that dies mid-record leaves nothing half-visible.
/// </summary>
internal static class RingLayout
{
    public const int LinePair = 128;
    public const int TailOffset = 0;
    public const int HeadOffset = LinePair;
    public const int ConsumerAsleepOffset = 2 * LinePair;
    public const int ProducerWaitingOffset = 3 * LinePair;
    public const int HeaderLength = 4 * LinePair;

    /// <summary>Smallest data area accepted: room for a few records of the minimum fragment size.</summary>
    public const int MinCapacity = 4096;

    /// <summary>Largest data area accepted (positions are computed in 32-bit offsets within the data area).</summary>
    public const int MaxCapacity = 1 << 30;

    /// <summary>The largest record is an eighth of the ring, as in Agrona, so one frame cannot monopolise it.</summary>
    public static int MaxRecordLength(int capacity) => capacity / 8;

    /// <summary>Total bytes one ring occupies in the segment.</summary>
    public static long TotalLength(int capacity) => HeaderLength + (long)capacity;

    public static bool IsValidCapacity(long capacity) =>
        capacity >= MinCapacity && capacity <= MaxCapacity && (capacity & (capacity - 1)) == 0;
}
