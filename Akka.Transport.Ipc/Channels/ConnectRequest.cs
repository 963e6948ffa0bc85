using System.Buffers.Binary;

namespace Akka.Transport.Ipc.Channels;

/// <summary>
/// What a connecting endpoint writes to a listener's accept FIFO. Fixed 64 bytes, far below PIPE_BUF, so
/// concurrent connectors' requests never interleave:
/// <code>
///  0 magic long · 8 version int · 12 clientPort int · 16 segmentId long · 24 clientPid int · 28..63 reserved
/// </code>
/// </summary>
internal readonly record struct ConnectRequest(int ClientPort, long SegmentId, int ClientPid)
{
    public const int Length = 64;

    public void WriteTo(Span<byte> buffer)
    {
        buffer.Slice(0, Length).Clear();
        BinaryPrimitives.WriteInt64LittleEndian(buffer, SegmentLayout.Magic);
        BinaryPrimitives.WriteInt32LittleEndian(buffer.Slice(8), SegmentLayout.Version);
        BinaryPrimitives.WriteInt32LittleEndian(buffer.Slice(12), ClientPort);
        BinaryPrimitives.WriteInt64LittleEndian(buffer.Slice(16), SegmentId);
        BinaryPrimitives.WriteInt32LittleEndian(buffer.Slice(24), ClientPid);
    }

    /// <summary>Parses one request; null with a reason when it is not one of ours.</summary>
    public static ConnectRequest? TryRead(ReadOnlySpan<byte> buffer, out string? error)
    {
        error = null;
        if (BinaryPrimitives.ReadInt64LittleEndian(buffer) != SegmentLayout.Magic)
            error = "bad magic";
        else if (BinaryPrimitives.ReadInt32LittleEndian(buffer.Slice(8)) is var version && version != SegmentLayout.Version)
            error = $"protocol version {version}, this side speaks {SegmentLayout.Version}";
        else if (BinaryPrimitives.ReadInt32LittleEndian(buffer.Slice(12)) is var port && port is < 1 or > 65535)
            error = $"client port {port} out of range";
        if (error != null)
            return null;
        return new ConnectRequest(
            BinaryPrimitives.ReadInt32LittleEndian(buffer.Slice(12)),
            BinaryPrimitives.ReadInt64LittleEndian(buffer.Slice(16)),
            BinaryPrimitives.ReadInt32LittleEndian(buffer.Slice(24)));
    }
}
