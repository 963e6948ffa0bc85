using System.Buffers.Binary;

namespace Akka.Transport.Ipc.Tests.Soak;

/// <summary>
/// Payloads of the chaos soak: numbered per (sender, receiver, epoch) stream, 8 B to 300 KB, every byte a function
/// of sequence number, epoch and position, so the receiver checks content without extra metadata.
/// <code>
///   0  seq      int32   position in the epoch's stream, from 0
///   4  epoch    uint16  bumped by the sender each time it re-associates with the same receiver incarnation
///   6  pattern  …       PatternAt(seq, epoch, i); in message 0 of an epoch, bytes 8..11 hold prevSent instead
/// </code>
/// <c>prevSent</c> is how many messages the sender sent in the previous epoch, so the receiver can count the loss
/// that an ended association caused.
/// </summary>
public static class SoakPayload
{
    public const int MinLength = 8;
    public const int Large = 300_000;
    private const int PrevSentOffset = 8;
    private const int FirstLength = 16;

    /// <summary>Mostly 8..2048 B; every 8th 8..60 KB (several ring records); every 64th 300 KB (more than a 64 KiB ring).</summary>
    public static int LengthOf(int seq, int epoch)
    {
        if (seq == 0)
            return FirstLength;
        uint hash = unchecked(((uint)seq * 2654435761u) ^ ((uint)epoch * 40503u));
        if (seq % 64 == 63)
            return Large;
        if (seq % 8 == 7)
            return 8192 + (int)(hash % 52_000);
        return MinLength + (int)(hash % (2048 - MinLength + 1));
    }

    public static byte[] Create(int seq, int epoch, int prevSent)
    {
        var payload = new byte[LengthOf(seq, epoch)];
        BinaryPrimitives.WriteInt32LittleEndian(payload, seq);
        BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(4), (ushort)epoch);
        int from = 6;
        if (seq == 0)
        {
            BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(PrevSentOffset), prevSent);
            from = PrevSentOffset + 4;
        }
        for (int i = from; i < payload.Length; i++)
            payload[i] = PatternAt(seq, epoch, i);
        if (seq == 0)
            payload[6] = payload[7] = PatternAt(0, epoch, 6);
        return payload;
    }

    public static int SequenceOf(byte[] payload) => BinaryPrimitives.ReadInt32LittleEndian(payload);

    public static int EpochOf(byte[] payload) => BinaryPrimitives.ReadUInt16LittleEndian(payload.AsSpan(4));

    /// <summary>Messages the sender sent in the epoch before this one (meaningful in message 0 only).</summary>
    public static int PrevSentOf(byte[] payload) => BinaryPrimitives.ReadInt32LittleEndian(payload.AsSpan(PrevSentOffset));

    /// <summary>Null when length and every byte match what the header announces, otherwise what differs.</summary>
    public static string? Verify(byte[] payload)
    {
        if (payload.Length < MinLength)
            return $"payload of {payload.Length} B is shorter than {MinLength} B";
        int seq = SequenceOf(payload);
        int epoch = EpochOf(payload);
        if (seq < 0)
            return $"negative sequence number {seq}";
        int expected = LengthOf(seq, epoch);
        if (payload.Length != expected)
            return $"message {epoch}:{seq} is {payload.Length} B, expected {expected} B";
        if (seq == 0)
        {
            if (payload[6] != PatternAt(0, epoch, 6) || payload[7] != PatternAt(0, epoch, 6))
                return $"message {epoch}:0 has bad check bytes";
            if (PrevSentOf(payload) < 0)
                return $"message {epoch}:0 announces {PrevSentOf(payload)} messages in the previous epoch";
        }
        for (int i = seq == 0 ? PrevSentOffset + 4 : 6; i < payload.Length; i++)
        {
            if (payload[i] != PatternAt(seq, epoch, i))
                return $"message {epoch}:{seq}: byte {i} is 0x{payload[i]:x2}, expected 0x{PatternAt(seq, epoch, i):x2}";
        }
        return null;
    }

    // Mixes all three so that a shifted, truncated or misdelivered payload is detected.
    private static byte PatternAt(int seq, int epoch, int index) =>
        unchecked((byte)((seq * 131) ^ (epoch * 29) ^ (index * 7) ^ (index >> 8)));
}
