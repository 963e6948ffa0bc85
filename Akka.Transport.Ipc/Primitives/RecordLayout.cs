namespace Akka.Transport.Ipc.Primitives;

/// <summary>
/// One record in a ring's data area, 8-byte aligned:
/// <code>
///  0        4        8
///  +--------+--------+-------------------------------+
///  | length | type   | payload (length - 8 bytes)     |
///  +--------+--------+-------------------------------+
/// </code>
/// <c>length</c> counts the header and excludes alignment. A frame that does not fit one record goes as
/// <see cref="Begin"/> (payload starts with the whole frame's length as a long), <see cref="Middle"/>… and
/// <see cref="End"/>. <see cref="Padding"/> fills the end of the data area when the next record would straddle it.
/// </summary>
internal static class RecordLayout
{
    public const int LengthOffset = 0;
    public const int TypeOffset = 4;
    public const int HeaderLength = 8;
    public const int Alignment = 8;

    /// <summary>Bytes at the start of a <see cref="Begin"/> payload holding the whole frame's length.</summary>
    public const int FrameLengthPrefix = 8;

    public const int Whole = 1;
    public const int Begin = 2;
    public const int Middle = 3;
    public const int End = 4;
    public const int Padding = 5;

    public static int Align(int length) => (length + (Alignment - 1)) & ~(Alignment - 1);
}
