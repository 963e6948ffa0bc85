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
internal static class SegmentLayout
{
    public const long Magic = 0x0043504941_4B4B41; // "AKKAIPC" + NUL, little endian
    public const int Version = 2;

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
}
