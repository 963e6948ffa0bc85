using System.Buffers.Binary;
using System.Text;
using Akka.Transport.Ipc.Channels;

namespace Akka.Transport.Ipc.Endpoint;

/// <summary>How an association carries frames, as negotiated in the connect request.</summary>
internal enum ChannelMode
{
    Shm = 1,
    Fifo = 2,
}

/// <summary>
/// What a connecting endpoint writes to a listener's accept FIFO. Fixed 512 bytes, below PIPE_BUF (4096), so
/// concurrent connectors' requests never interleave:
/// <code>
///   0 magic long · 8 version int · 12 clientPort int · 16 associationId long · 24 clientPid int · 28 mode int
///  32 ringSize int  · 36 wireFrameLimit int: the client's settings, which the listener's must equal (a FIFO
///                     association has no segment header to compare them in)
///  40 clientUid int: its ActorSystem's address UID
///  44 clientScheme  (1 length byte + ASCII, 16 B): "ipc", or its network transport's ("tcp")
///  60 clientAddressPort int: the port of its address (its endpoint port with "ipc", its network port otherwise)
///  64 clientSystem  (1 length byte + UTF-8, 64 B)
/// 128 clientHost    (1 length byte + UTF-8, 64 B)
/// 192 shmDirectory  (2 length bytes + UTF-8, up to 318 B): where the segment of a shm association is
/// </code>
/// Scheme, system, host and address port make up the address the client advertises, which Akka knows it by.
/// </summary>
internal sealed record ConnectRequest(int ClientPort, long AssociationId, int ClientPid, ChannelMode Mode,
    string System, string Host, string ShmDirectory, int RingSize, int WireFrameLimit,
    int Uid = 0, string Scheme = "ipc", int AddressPort = 0)
{
    public const int Length = 512;
    private const int RingSizeOffset = 32;
    private const int WireFrameLimitOffset = 36;
    private const int UidOffset = 40;
    private const int SchemeOffset = 44;
    private const int SchemeField = 16;
    private const int AddressPortOffset = 60;
    private const int SystemOffset = 64;
    private const int HostOffset = 128;
    private const int NameField = 64;
    private const int ShmDirectoryOffset = 192;
    public const int MaxShmDirectoryBytes = Length - ShmDirectoryOffset - 2;

    public void WriteTo(Span<byte> buffer)
    {
        buffer = buffer.Slice(0, Length);
        buffer.Clear();
        BinaryPrimitives.WriteInt64LittleEndian(buffer, SegmentLayout.Magic);
        BinaryPrimitives.WriteInt32LittleEndian(buffer.Slice(8), SegmentLayout.Version);
        BinaryPrimitives.WriteInt32LittleEndian(buffer.Slice(12), ClientPort);
        BinaryPrimitives.WriteInt64LittleEndian(buffer.Slice(16), AssociationId);
        BinaryPrimitives.WriteInt32LittleEndian(buffer.Slice(24), ClientPid);
        BinaryPrimitives.WriteInt32LittleEndian(buffer.Slice(28), (int)Mode);
        BinaryPrimitives.WriteInt32LittleEndian(buffer.Slice(RingSizeOffset), RingSize);
        BinaryPrimitives.WriteInt32LittleEndian(buffer.Slice(WireFrameLimitOffset), WireFrameLimit);
        BinaryPrimitives.WriteInt32LittleEndian(buffer.Slice(UidOffset), Uid);
        WriteName(buffer.Slice(SchemeOffset, SchemeField), Scheme);
        BinaryPrimitives.WriteInt32LittleEndian(buffer.Slice(AddressPortOffset), AddressPort == 0 ? ClientPort : AddressPort);
        WriteName(buffer.Slice(SystemOffset, NameField), System);
        WriteName(buffer.Slice(HostOffset, NameField), Host);
        int length = Encoding.UTF8.GetBytes(ShmDirectory, buffer.Slice(ShmDirectoryOffset + 2, MaxShmDirectoryBytes));
        BinaryPrimitives.WriteUInt16LittleEndian(buffer.Slice(ShmDirectoryOffset), (ushort)length);
    }

    /// <summary>Parses one request; null with a reason when it is not one this side can serve.</summary>
    public static ConnectRequest? TryRead(ReadOnlySpan<byte> buffer, out string? error)
    {
        error = null;
        int version = BinaryPrimitives.ReadInt32LittleEndian(buffer.Slice(8));
        int port = BinaryPrimitives.ReadInt32LittleEndian(buffer.Slice(12));
        int mode = BinaryPrimitives.ReadInt32LittleEndian(buffer.Slice(28));
        int directoryLength = BinaryPrimitives.ReadUInt16LittleEndian(buffer.Slice(ShmDirectoryOffset));
        int addressPort = BinaryPrimitives.ReadInt32LittleEndian(buffer.Slice(AddressPortOffset));
        if (BinaryPrimitives.ReadInt64LittleEndian(buffer) != SegmentLayout.Magic)
            error = "bad magic";
        else if (version != SegmentLayout.Version)
            error = $"protocol version {version}, this side speaks {SegmentLayout.Version}";
        else if (port is < 1 or > 65535)
            error = $"client port {port} out of range";
        else if (mode != (int)ChannelMode.Shm && mode != (int)ChannelMode.Fifo)
            error = $"unknown channel mode {mode}";
        else if (directoryLength > MaxShmDirectoryBytes)
            error = "shm directory field too long";
        else if (addressPort is < 1 or > 65535)
            error = $"address port {addressPort} out of range";
        if (error != null)
            return null;
        return new ConnectRequest(
            port,
            BinaryPrimitives.ReadInt64LittleEndian(buffer.Slice(16)),
            BinaryPrimitives.ReadInt32LittleEndian(buffer.Slice(24)),
            (ChannelMode)mode,
            ReadName(buffer.Slice(SystemOffset, NameField)),
            ReadName(buffer.Slice(HostOffset, NameField)),
            Encoding.UTF8.GetString(buffer.Slice(ShmDirectoryOffset + 2, directoryLength)),
            BinaryPrimitives.ReadInt32LittleEndian(buffer.Slice(RingSizeOffset)),
            BinaryPrimitives.ReadInt32LittleEndian(buffer.Slice(WireFrameLimitOffset)),
            BinaryPrimitives.ReadInt32LittleEndian(buffer.Slice(UidOffset)),
            ReadName(buffer.Slice(SchemeOffset, SchemeField)),
            addressPort);
    }

    /// <summary>
    /// Why this endpoint cannot serve the request's client, or null when their settings agree. Both must use the
    /// same ring-size and maximum-frame-size: a frame one side may send must be one the other accepts.
    /// </summary>
    public string? SettingsMismatch(int ringSize, int wireFrameLimit, int envelopeHeadroom) =>
        RingSize != ringSize ? $"ring-size {RingSize} differs from this endpoint's {ringSize}"
        : WireFrameLimit != wireFrameLimit
            ? $"maximum-frame-size {(long)WireFrameLimit - envelopeHeadroom} differs from this endpoint's {(long)wireFrameLimit - envelopeHeadroom}"
              + $" (wire limits {WireFrameLimit} and {wireFrameLimit} bytes)"
        : null;

    private static void WriteName(Span<byte> field, string name)
    {
        var text = field.Slice(1);
        int length = Encoding.UTF8.GetByteCount(name) <= text.Length
            ? Encoding.UTF8.GetBytes(name, text)
            : throw new ArgumentException($"'{name}' is longer than {text.Length} UTF-8 bytes");
        field[0] = (byte)length;
    }

    private static string ReadName(ReadOnlySpan<byte> field) =>
        Encoding.UTF8.GetString(field.Slice(1, Math.Min(field[0], field.Length - 1)));
}
