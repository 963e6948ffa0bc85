using System.Runtime.CompilerServices;

namespace Akka.Transport.Ipc.Primitives;

/// <summary>
/// The producer side of a shared-memory SPSC ring (<see cref="RingLayout"/>). Not thread-safe: one writer,
/// serialised by its owner. The tail is kept locally and only ever stored, so a peer that scribbles on it cannot
/// make this side write outside the data area.
/// </summary>
/// <remarks>
/// The consumer's position is read from shared memory only when the space known from the last read does not suffice
/// (Agrona's head cache): the consumer stores it after every batch, so reading it on every write would take a cache
/// miss per frame while both sides stream. A stale position is always a safe one (it only moves forward), and every
/// read is checked before use.
/// </remarks>
internal sealed unsafe class RingWriter
{
    private readonly byte* _header;
    private readonly byte* _data;
    private readonly int _capacity;
    private readonly int _mask;
    private readonly int _maxRecord;
    private long _tail;
    private long _headCache; // the consumer's position as last read and checked

    /// <param name="ring">Start of the ring (its header); must stay mapped for this object's lifetime.</param>
    /// <param name="capacity">Data area size, a power of two within <see cref="RingLayout"/> bounds.</param>
    public RingWriter(byte* ring, int capacity)
    {
        if (!RingLayout.IsValidCapacity(capacity))
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "Ring capacity must be a power of two between 4 KiB and 1 GiB.");
        _header = ring;
        _data = ring + RingLayout.HeaderLength;
        _capacity = capacity;
        _mask = capacity - 1;
        _maxRecord = RingLayout.MaxRecordLength(capacity);
        _tail = Volatile.Read(ref Word(RingLayout.TailOffset));
        _headCache = _tail - capacity; // "full": the first write reads (and checks) the real position
    }

    /// <summary>Largest payload a single <see cref="RecordLayout.Whole"/> record carries.</summary>
    public int MaxWholePayload => _maxRecord - RecordLayout.HeaderLength;

    /// <summary>
    /// Writes as much of <paramref name="frame"/> as fits, starting at <paramref name="written"/>, and publishes it.
    /// Frames larger than one record are fragmented; a frame may be written over several calls, so the caller keeps
    /// <paramref name="written"/> between them and writes nothing else until this returns true.
    /// </summary>
    /// <returns>true when the whole frame is in the ring; false when the ring filled first.</returns>
    /// <exception cref="RingCorruptedException">The consumer position read from shared memory is impossible.</exception>
    public bool TryWrite(ReadOnlySpan<byte> frame, ref int written)
    {
        long tail = _tail;
        try
        {
            if (written == 0 && frame.Length <= MaxWholePayload)
            {
                if (!TryAppend(ref tail, RecordLayout.Whole, frame, frameLength: -1))
                    return false;
                written = frame.Length;
                return true;
            }

            while (written < frame.Length)
            {
                int type;
                int prefix = 0;
                int room = MaxWholePayload;
                if (written == 0)
                {
                    type = RecordLayout.Begin;
                    prefix = RecordLayout.FrameLengthPrefix;
                    room -= prefix;
                }
                else
                {
                    type = frame.Length - written <= room ? RecordLayout.End : RecordLayout.Middle;
                }

                var chunk = frame.Slice(written, Math.Min(room, frame.Length - written));
                if (!TryAppend(ref tail, type, chunk, prefix == 0 ? -1 : frame.Length))
                    return false;
                written += chunk.Length;
            }
            return true;
        }
        finally
        {
            if (tail != _tail)
            {
                _tail = tail;
                Volatile.Write(ref Word(RingLayout.TailOffset), tail);
            }
        }
    }

    /// <summary>Bytes of records written and not yet consumed, right now.</summary>
    public int UsedBytes => (int)(_tail - ReadHead());

    /// <summary>Bytes free for new records right now.</summary>
    public int FreeBytes => _capacity - (int)(_tail - ReadHead());

    /// <summary>
    /// Asks the consumer to post the producer's doorbell when it frees space. Call when a write returned false,
    /// then retry once: the full fence makes either the retry or the consumer see the other.
    /// </summary>
    public void RequestSpaceNotification() =>
        Interlocked.Exchange(ref Int(RingLayout.ProducerWaitingOffset), 1);

    /// <summary>
    /// After publishing: true when the consumer announced it is going to sleep, and this caller won the right to
    /// wake it (the flag is cleared, so posts stay bounded however many frames are written).
    /// </summary>
    public bool TakeConsumerWakeRequest()
    {
        Interlocked.MemoryBarrier();
        return Volatile.Read(ref Int(RingLayout.ConsumerAsleepOffset)) != 0
            && Interlocked.Exchange(ref Int(RingLayout.ConsumerAsleepOffset), 0) != 0;
    }

    private bool TryAppend(ref long tail, int type, ReadOnlySpan<byte> payload, long frameLength)
    {
        int prefix = frameLength >= 0 ? RecordLayout.FrameLengthPrefix : 0;
        int length = RecordLayout.HeaderLength + prefix + payload.Length;
        int aligned = RecordLayout.Align(length);
        int offset = (int)(tail & _mask);
        int toEnd = _capacity - offset;
        int padding = aligned > toEnd ? toEnd : 0;

        if (_capacity - (tail - _headCache) < padding + aligned)
        {
            _headCache = ReadHead();
            if (_capacity - (tail - _headCache) < padding + aligned)
                return false;
        }

        if (padding != 0)
        {
            WriteRecordHeader(offset, padding, RecordLayout.Padding);
            tail += padding;
            offset = 0;
        }

        byte* record = _data + offset;
        if (prefix != 0)
            Unsafe.WriteUnaligned(record + RecordLayout.HeaderLength, frameLength);
        payload.CopyTo(new Span<byte>(record + RecordLayout.HeaderLength + prefix, payload.Length));
        WriteRecordHeader(offset, length, type);
        tail += aligned;
        return true;
    }

    private void WriteRecordHeader(int offset, int length, int type)
    {
        byte* record = _data + offset;
        Unsafe.WriteUnaligned(record + RecordLayout.LengthOffset, length);
        Unsafe.WriteUnaligned(record + RecordLayout.TypeOffset, type);
    }

    private long ReadHead()
    {
        long head = Volatile.Read(ref Word(RingLayout.HeadOffset));
        long used = _tail - head;
        if (used < 0 || used > _capacity)
            throw new RingCorruptedException($"consumer position {head} is impossible for producer position {_tail} and capacity {_capacity}");
        return head;
    }

    private ref long Word(int offset) => ref Unsafe.AsRef<long>(_header + offset);

    private ref int Int(int offset) => ref Unsafe.AsRef<int>(_header + offset);
}
