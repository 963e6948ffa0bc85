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
/// </summary>
internal sealed class StreamFrameDecoder
{
    public const int HeaderLength = 4;
    public const int CloseMarker = -1;

    private readonly int _maxFrameLength;
    private readonly byte[] _header = new byte[HeaderLength];
    private int _headerFill;
    private byte[]? _frame;
    private int _frameFill;

    public StreamFrameDecoder(int maxFrameLength) => _maxFrameLength = maxFrameLength;

    /// <summary>True once the close marker was decoded; nothing after it is read.</summary>
    public bool Closed { get; private set; }

    /// <summary>True while a frame has been started but not completed.</summary>
    public bool IsMidFrame => _headerFill > 0 || _frame != null;

    /// <summary>Feeds bytes in stream order; complete frames go to <paramref name="handler"/> as owned arrays.</summary>
    /// <exception cref="InvalidDataException">A frame length is impossible.</exception>
    public void Decode<THandler>(ReadOnlySpan<byte> data, ref THandler handler) where THandler : IFrameHandler
    {
        while (!data.IsEmpty && !Closed)
        {
            if (_frame == null)
            {
                int take = Math.Min(HeaderLength - _headerFill, data.Length);
                data.Slice(0, take).CopyTo(_header.AsSpan(_headerFill));
                _headerFill += take;
                data = data.Slice(take);
                if (_headerFill < HeaderLength)
                    return;
                _headerFill = 0;
                int length = BinaryPrimitives.ReadInt32LittleEndian(_header);
                if (length == CloseMarker)
                {
                    Closed = true;
                    return;
                }
                if (length < 0 || length > _maxFrameLength)
                    throw new InvalidDataException($"malformed frame: length {length} (maximum {_maxFrameLength})");
                _frame = length == 0 ? Array.Empty<byte>() : new byte[length];
                _frameFill = 0;
            }
            int copy = Math.Min(_frame.Length - _frameFill, data.Length);
            data.Slice(0, copy).CopyTo(_frame.AsSpan(_frameFill));
            _frameFill += copy;
            data = data.Slice(copy);
            if (_frameFill == _frame.Length)
            {
                var frame = _frame;
                _frame = null;
                handler.OnFrame(frame, frame);
            }
        }
    }
}
