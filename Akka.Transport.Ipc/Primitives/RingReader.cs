using System.Runtime.CompilerServices;

namespace Akka.Transport.Ipc.Primitives;

/// <summary>Receives frames read from a ring.</summary>
internal interface IFrameHandler
{
    /// <summary>
    /// One complete frame. <paramref name="frame"/> is valid only during the call (it may point into shared
    /// memory). When <paramref name="owned"/> is not null it holds exactly the frame's bytes and the handler may
    /// keep it; the reader never touches it again.
    /// </summary>
    void OnFrame(ReadOnlySpan<byte> frame, byte[]? owned);
}

/// <summary>
/// The consumer side of a shared-memory SPSC ring (<see cref="RingLayout"/>). Not thread-safe: one reader.
/// Every length, type and position read from shared memory is checked before use; anything impossible throws
/// <see cref="RingCorruptedException"/> without reading outside the data area.
/// </summary>
internal sealed unsafe class RingReader
{
    private readonly byte* _header;
    private readonly byte* _data;
    private readonly int _capacity;
    private readonly int _mask;
    private readonly int _maxRecord;
    private readonly int _maxFrameLength;
    private long _head;
    private byte[]? _assembly;
    private int _assembled;

    /// <param name="ring">Start of the ring (its header); must stay mapped for this object's lifetime.</param>
    /// <param name="capacity">Data area size, a power of two within <see cref="RingLayout"/> bounds.</param>
    /// <param name="maxFrameLength">Frames announced longer than this are treated as corruption.</param>
    public RingReader(byte* ring, int capacity, int maxFrameLength)
    {
        if (!RingLayout.IsValidCapacity(capacity))
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "Ring capacity must be a power of two between 4 KiB and 1 GiB.");
        ArgumentOutOfRangeException.ThrowIfNegative(maxFrameLength);
        _header = ring;
        _data = ring + RingLayout.HeaderLength;
        _capacity = capacity;
        _mask = capacity - 1;
        _maxRecord = RingLayout.MaxRecordLength(capacity);
        _maxFrameLength = maxFrameLength;
        _head = Volatile.Read(ref Word(RingLayout.HeadOffset));
    }

    /// <summary>True when published records are waiting (acquire read of the tail).</summary>
    public bool HasData => Volatile.Read(ref Word(RingLayout.TailOffset)) != _head;

    /// <summary>
    /// Delivers up to <paramref name="frameLimit"/> complete frames to <paramref name="handler"/> and releases the
    /// space they used, so one busy ring cannot starve the others served by the same thread.
    /// </summary>
    /// <returns>The number of records consumed (0 = nothing was published).</returns>
    public int Read<THandler>(ref THandler handler, int frameLimit) where THandler : IFrameHandler
    {
        long tail = ReadTail();
        long head = _head;
        int records = 0;
        int frames = 0;
        try
        {
            while (head < tail && frames < frameLimit)
            {
                int offset = (int)(head & _mask);
                byte* record = _data + offset;
                int length = Unsafe.ReadUnaligned<int>(record + RecordLayout.LengthOffset);
                int type = Unsafe.ReadUnaligned<int>(record + RecordLayout.TypeOffset);
                int available = (int)Math.Min(tail - head, _capacity - offset);
                if (length < RecordLayout.HeaderLength || length > available)
                    throw Corrupt($"record length {length} at offset {offset} (available {available})");

                int aligned = RecordLayout.Align(length);
                if (type == RecordLayout.Padding)
                {
                    if (length != _capacity - offset)
                        throw Corrupt($"padding of {length} bytes at offset {offset} does not reach the end");
                    head += length;
                    records++;
                    continue;
                }
                if (aligned > _maxRecord || aligned > available)
                    throw Corrupt($"record length {length} at offset {offset} exceeds the record limit {_maxRecord}");

                var payload = new ReadOnlySpan<byte>(record + RecordLayout.HeaderLength, length - RecordLayout.HeaderLength);
                if (Deliver(ref handler, type, payload))
                    frames++;
                head += aligned;
                records++;
            }
            return records;
        }
        finally
        {
            if (head != _head)
            {
                _head = head;
                Volatile.Write(ref Word(RingLayout.HeadOffset), head);
            }
        }
    }

    /// <summary>
    /// Announces that the consumer is about to block. Call, then check <see cref="HasData"/> once more before
    /// blocking: the full fence guarantees either that check or the producer's flag check sees the other.
    /// </summary>
    public void PrepareToSleep() => Interlocked.Exchange(ref Int(RingLayout.ConsumerAsleepOffset), 1);

    /// <summary>Withdraws <see cref="PrepareToSleep"/> after waking, so a busy producer stops posting.</summary>
    public void Awake() => Volatile.Write(ref Int(RingLayout.ConsumerAsleepOffset), 0);

    /// <summary>
    /// After releasing space: true when the producer asked to be told, and this caller won the right to post it.
    /// </summary>
    public bool TakeProducerWakeRequest()
    {
        Interlocked.MemoryBarrier();
        return Volatile.Read(ref Int(RingLayout.ProducerWaitingOffset)) != 0
            && Interlocked.Exchange(ref Int(RingLayout.ProducerWaitingOffset), 0) != 0;
    }

    private bool Deliver<THandler>(ref THandler handler, int type, ReadOnlySpan<byte> payload) where THandler : IFrameHandler
    {
        switch (type)
        {
            case RecordLayout.Whole:
                if (_assembly != null)
                    throw Corrupt("whole frame inside a fragmented frame");
                if (payload.Length > _maxFrameLength)
                    throw Corrupt($"frame of {payload.Length} bytes exceeds the maximum frame size {_maxFrameLength}");
                handler.OnFrame(payload, null);
                return true;
            case RecordLayout.Begin:
                if (_assembly != null)
                    throw Corrupt("fragment start inside a fragmented frame");
                if (payload.Length < RecordLayout.FrameLengthPrefix)
                    throw Corrupt("fragment start without a frame length");
                long frameLength = Unsafe.ReadUnaligned<long>(ref Unsafe.AsRef(in payload[0]));
                var first = payload.Slice(RecordLayout.FrameLengthPrefix);
                if (frameLength < first.Length || frameLength > _maxFrameLength)
                    throw Corrupt($"fragmented frame length {frameLength} is impossible (maximum frame size {_maxFrameLength})");
                _assembly = new byte[frameLength];
                first.CopyTo(_assembly);
                _assembled = first.Length;
                return false;
            case RecordLayout.Middle:
            case RecordLayout.End:
                if (_assembly == null)
                    throw Corrupt("fragment continuation without a start");
                if (payload.Length > _assembly.Length - _assembled)
                    throw Corrupt("fragments exceed the announced frame length");
                payload.CopyTo(_assembly.AsSpan(_assembled));
                _assembled += payload.Length;
                if (type == RecordLayout.Middle)
                    return false;
                if (_assembled != _assembly.Length)
                    throw Corrupt("fragmented frame ended short of its announced length");
                var frame = _assembly;
                _assembly = null;
                handler.OnFrame(frame, frame);
                return true;
            default:
                throw Corrupt($"unknown record type {type}");
        }
    }

    private long ReadTail()
    {
        long tail = Volatile.Read(ref Word(RingLayout.TailOffset));
        long used = tail - _head;
        if (used < 0 || used > _capacity || (tail & (RecordLayout.Alignment - 1)) != 0)
            throw Corrupt($"producer position {tail} is impossible for consumer position {_head}");
        return tail;
    }

    private static RingCorruptedException Corrupt(string reason) => new(reason);

    private ref long Word(int offset) => ref Unsafe.AsRef<long>(_header + offset);

    private ref int Int(int offset) => ref Unsafe.AsRef<int>(_header + offset);
}
