using System.Buffers.Binary;

namespace Akka.Transport.Ipc.Primitives;

/// <summary>
/// Reassembles frames from a byte stream that arrives in arbitrary pieces (a FIFO). Wire format:
/// <code>
///  +----------------+---------------------+
///  | int32 length LE | payload (length B)  |     length = -1: orderly close, no payload
///  +----------------+---------------------+
/// </code>
/// A length below -1 or above the frame limit is malformed: decoding stops with
/// <see cref="InvalidDataException"/> before anything of that size is allocated.
/// A frame that lies whole in the bytes passed is handed over in place (nothing copied or allocated); one cut by
/// the end of a piece is gathered in a reusable buffer (up to <see cref="ReusedAssemblyLength"/> bytes) or, when
/// larger, in an array of its own that the handler may keep. Not thread-safe: one reader.
/// </summary>
internal sealed class StreamFrameDecoder
{
    public const int HeaderLength = 4;
    public const int CloseMarker = -1;

    /// <summary>Cut frames up to this size are gathered in one buffer reused for every such frame.</summary>
    public const int ReusedAssemblyLength = 64 * 1024;

    private readonly int _maxFrameLength;
    private readonly byte[] _header = new byte[HeaderLength];
    private int _headerFill;
    private byte[]? _reused; // allocated at the first cut frame that fits it
    private byte[]? _frame; // the frame being gathered: _reused or an array of its own
    private int _frameLength;
    private int _frameFill;

    public StreamFrameDecoder(int maxFrameLength) => _maxFrameLength = maxFrameLength;

    /// <summary>True once the close marker was decoded; nothing after it is read.</summary>
    public bool Closed { get; private set; }

    /// <summary>True while a frame has been started but not completed.</summary>
    public bool IsMidFrame => _headerFill > 0 || _frame != null;

    /// <summary>
    /// Feeds bytes in stream order. Each complete frame goes to <paramref name="handler"/>: a span valid only
    /// during the call, plus the same bytes as an owned array when the frame was gathered in one of its own.
    /// </summary>
    /// <exception cref="InvalidDataException">A frame length is impossible.</exception>
    public void Decode<THandler>(ReadOnlySpan<byte> data, ref THandler handler) where THandler : IFrameHandler
    {
        if (IsMidFrame)
            data = data.Slice(Continue(data, ref handler));
        while (!data.IsEmpty && !Closed)
        {
            if (data.Length < HeaderLength)
            {
                data.CopyTo(_header);
                _headerFill = data.Length;
                return;
            }
            int length = ReadLength(data);
            if (length < 0)
                return; // the close marker
            data = data.Slice(HeaderLength);
            if (data.Length >= length)
            {
                handler.OnFrame(data.Slice(0, length), null);
                data = data.Slice(length);
                continue;
            }
            StartFrame(length);
            data = data.Slice(Continue(data, ref handler));
        }
    }

    /// <summary>Goes on with the header or frame begun earlier; returns how many bytes of <paramref name="data"/> it took.</summary>
    private int Continue<THandler>(ReadOnlySpan<byte> data, ref THandler handler) where THandler : IFrameHandler
    {
        int taken = 0;
        if (_frame == null)
        {
            taken = Math.Min(HeaderLength - _headerFill, data.Length);
            data.Slice(0, taken).CopyTo(_header.AsSpan(_headerFill));
            _headerFill += taken;
            if (_headerFill < HeaderLength)
                return taken;
            _headerFill = 0;
            int length = ReadLength(_header);
            if (length < 0)
                return data.Length; // the close marker: nothing after it is read
            StartFrame(length);
        }
        int copy = Math.Min(_frameLength - _frameFill, data.Length - taken);
        data.Slice(taken, copy).CopyTo(_frame.AsSpan(_frameFill));
        _frameFill += copy;
        if (_frameFill == _frameLength)
        {
            var frame = _frame;
            _frame = null;
            if (frame == _reused)
                handler.OnFrame(frame.AsSpan(0, _frameLength), null);
            else
                handler.OnFrame(frame, frame);
        }
        return taken + copy;
    }

    /// <summary>The length in a header, checked; -1 (and <see cref="Closed"/>) for the close marker.</summary>
    private int ReadLength(ReadOnlySpan<byte> header)
    {
        int length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length == CloseMarker)
        {
            Closed = true;
            return -1;
        }
        if (length < 0 || length > _maxFrameLength)
            throw new InvalidDataException($"malformed frame: length {length} (maximum {_maxFrameLength})");
        return length;
    }

    /// <summary>Starts gathering a frame of a checked <paramref name="length"/>.</summary>
    private void StartFrame(int length)
    {
        _frame = length <= ReusedAssemblyLength
            ? _reused ??= new byte[Math.Min(ReusedAssemblyLength, _maxFrameLength)]
            : new byte[length];
        _frameLength = length;
        _frameFill = 0;
    }
}
