using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Channels;

/// <summary>
/// One association's shared-memory segment, created by the connecting side:
/// <code>
///    0  magic          long  "AKKAIPC\0" little endian; written last by the creator
///    8  version        int   <see cref="Version"/>
///   12  ringCapacity   int   data bytes per ring, power of two
///   16  maxFrame       int   largest frame either side may send (wire limit)
///   20  state          int   <see cref="Offered"/> → <see cref="Accepted"/> | <see cref="Refused"/> (set by the listener)
///   24  clientPort     int
///   28  serverPort     int
///   32  clientPid      int
///   36  serverPid      int
///   40  clientClosed   int   1 once the client closed its side (after its last frame was published)
///   44  serverClosed   int   1 once the server closed its side
///  192  refusal        1 length byte + UTF-8, <see cref="ReasonField"/> bytes: why the listener refused
/// 4096  ring client → server   (<see cref="RingLayout"/>)
///  ...  ring server → client
/// </code>
/// </summary>
internal static unsafe class SegmentLayout
{
    public const long Magic = 0x0043504941_4B4B41; // "AKKAIPC" + NUL, little endian
    /// <summary>
    /// Protocol version of segments, connect requests and lock files. 2: the connect request carries ring size and
    /// frame limit. 3: it carries the client's advertised address and UID, and lock files name them.
    /// </summary>
    public const int Version = 3;

    public const int MagicOffset = 0;
    public const int VersionOffset = 8;
    public const int RingCapacityOffset = 12;
    public const int MaxFrameOffset = 16;
    public const int StateOffset = 20;
    public const int ClientPortOffset = 24;
    public const int ServerPortOffset = 28;
    public const int ClientPidOffset = 32;
    public const int ServerPidOffset = 36;
    public const int ClientClosedOffset = 40;
    public const int ServerClosedOffset = 44;
    public const int RefusalOffset = 192;
    public const int ReasonField = 256;
    public const int HeaderLength = 4096;

    public const int Offered = 0;
    public const int Accepted = 1;
    public const int Refused = 2;

    public static long TotalLength(int ringCapacity) => HeaderLength + 2 * RingLayout.TotalLength(ringCapacity);

    public static long ClientToServerRing => HeaderLength;

    public static long ServerToClientRing(int ringCapacity) => HeaderLength + RingLayout.TotalLength(ringCapacity);

    /// <summary>
    /// Names the first header field of a just-offered segment that is not in its initial state (state
    /// <see cref="Offered"/>, no server port or pid, neither side closed), or null. Reads the header page only.
    /// </summary>
    public static string? NotInitial(byte* segment)
    {
        ReadOnlySpan<(int Offset, string Name)> fields =
        [
            (StateOffset, "state"), (ServerPortOffset, "serverPort"), (ServerPidOffset, "serverPid"),
            (ClientClosedOffset, "clientClosed"), (ServerClosedOffset, "serverClosed"),
        ];
        foreach (var (offset, name) in fields)
            if (Volatile.Read(ref *(int*)(segment + offset)) is var value && value != 0)
                return $"{name} is {value}, expected 0";
        return null;
    }

    /// <summary>
    /// Names the first ring word of a just-offered segment that is not zero (positions and flags of both rings),
    /// or null. Reads the ring pages: call only once they are known to be backed.
    /// </summary>
    public static string? NotInitial(byte* segment, int ringCapacity)
    {
        ReadOnlySpan<(long Ring, string Name)> rings = [(ClientToServerRing, "client-to-server"), (ServerToClientRing(ringCapacity), "server-to-client")];
        foreach (var (ring, ringName) in rings)
        {
            byte* r = segment + ring;
            if (Volatile.Read(ref *(long*)(r + RingLayout.TailOffset)) is var tail && tail != 0)
                return $"{ringName} ring tail is {tail}, expected 0";
            if (Volatile.Read(ref *(long*)(r + RingLayout.HeadOffset)) is var head && head != 0)
                return $"{ringName} ring head is {head}, expected 0";
            if (Volatile.Read(ref *(int*)(r + RingLayout.ConsumerAsleepOffset)) is var asleep && asleep != 0)
                return $"{ringName} ring consumerAsleep flag is {asleep}, expected 0";
            if (Volatile.Read(ref *(int*)(r + RingLayout.ProducerWaitingOffset)) is var waiting && waiting != 0)
                return $"{ringName} ring producerWaiting flag is {waiting}, expected 0";
        }
        return null;
    }
}
