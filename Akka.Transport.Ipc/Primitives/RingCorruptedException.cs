namespace Akka.Transport.Ipc.Primitives;

/// <summary>
/// Shared memory holds something this side's protocol can never produce (a bad length, position or type): the
/// peer is corrupt or hostile, and the association using the ring must end.
/// </summary>
public sealed class RingCorruptedException : Exception
{
    public RingCorruptedException(string reason) : base("Shared-memory ring is corrupt: " + reason) { }
}
