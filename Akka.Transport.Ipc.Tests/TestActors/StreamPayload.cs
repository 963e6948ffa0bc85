using System.Buffers.Binary;

namespace Akka.Transport.Ipc.Tests.TestActors;

/// <summary>
/// Deterministic payloads for the streaming test: length and content are functions of the
/// sequence number alone, so the receiver can verify every byte without extra metadata.
/// </summary>
public static class StreamPayload
{
    public const int SmallMin = 8;
    public const int SmallMax = 2048;
    public const int Medium = 64 * 1024;
    public const int Large = 1024 * 1024;

    /// <summary>Mostly 8..2048 B; every 97th message 64 KiB; every 1009th message 1 MiB.</summary>
    public static int LengthOf(int seq) => LengthOf(seq, Large);

    /// <summary>
    /// <see cref="LengthOf(int)"/> capped at <paramref name="maxLength"/> (at least <see cref="SmallMin"/>): e.g. under
    /// dot-netty's 128000-byte frame limit for streams that may go over the network.
    /// </summary>
    public static int LengthOf(int seq, int maxLength)
    {
        if (maxLength < SmallMin)
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, $"must be at least {SmallMin}");
        return Math.Min(UncappedLengthOf(seq), maxLength);
    }

    private static int UncappedLengthOf(int seq)
    {
        if (seq % 1009 == 1008) return Large;
        if (seq % 97 == 96) return Medium;
        // Knuth multiplicative hash spreads the small sizes without a RNG.
        var hash = unchecked((uint)seq * 2654435761u);
        return SmallMin + (int)(hash % (SmallMax - SmallMin + 1));
    }

    public static byte[] Create(int seq) => Create(seq, Large);

    /// <summary>Message <paramref name="seq"/> with its length capped as <see cref="LengthOf(int, int)"/> says.</summary>
    public static byte[] Create(int seq, int maxLength)
    {
        var payload = new byte[LengthOf(seq, maxLength)];
        BinaryPrimitives.WriteInt32LittleEndian(payload, seq);
        for (var i = 4; i < payload.Length; i++)
            payload[i] = PatternAt(seq, i);
        return payload;
    }

    public static int SequenceOf(byte[] payload) =>
        payload.Length >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(payload) : -1;

    /// <summary>Returns null when the payload is exactly message <paramref name="expectedSeq"/>, otherwise why not.</summary>
    public static string? Verify(byte[] payload, int expectedSeq) => Verify(payload, expectedSeq, Large);

    /// <summary>As <see cref="Verify(byte[], int)"/> for a stream created with <see cref="Create(int, int)"/>.</summary>
    public static string? Verify(byte[] payload, int expectedSeq, int maxLength)
    {
        if (payload.Length < 4)
            return $"message #{expectedSeq}: payload of {payload.Length} B is too short to hold a sequence number";

        var seq = SequenceOf(payload);
        if (seq != expectedSeq)
            return $"expected sequence {expectedSeq} but got {seq} (length {payload.Length} B)";

        var expectedLength = LengthOf(seq, maxLength);
        if (payload.Length != expectedLength)
            return $"message #{seq}: length {payload.Length} B, expected {expectedLength} B";

        for (var i = 4; i < payload.Length; i++)
        {
            if (payload[i] != PatternAt(seq, i))
                return $"message #{seq}: byte {i} is 0x{payload[i]:x2}, expected 0x{PatternAt(seq, i):x2}";
        }

        return null;
    }

    // Mixes seq and index so that both a shifted and a misdelivered payload are detected.
    private static byte PatternAt(int seq, int index) =>
        unchecked((byte)((seq * 131) ^ (index * 7) ^ (index >> 8)));
}
