using Akka.Transport.Ipc.Interop;

namespace Akka.Transport.Ipc.Endpoint;

/// <summary>
/// Turns "an association ended" into "its peer is dead for certain" when that is true: the endpoint lock of the
/// incarnation the association was with is released (its file is gone, or names another UID, or nobody holds it).
/// The kernel releases a process's lock in the same teardown that hangs up its FIFOs, but not necessarily before
/// this side wakes up, so the lock is checked for up to <see cref="ConfirmWindow"/>; a peer that still holds it
/// then (an association ended by a corrupt ring, or a frozen process) is alive and nothing is reported.
/// Each incarnation (port, UID) is reported at most once, never after <see cref="Stop"/>.
/// </summary>
internal sealed class PeerDeaths
{
    /// <summary>How long a lock may stay held after the association ended and still count as this death.</summary>
    internal static readonly TimeSpan ConfirmWindow = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(10);

    private readonly ChannelNames _names;
    private readonly Action<EndpointIdentity> _onDead;
    private readonly HashSet<(int Port, int Uid)> _seen = new(); // checked or being checked; guarded by itself
    private volatile bool _stopped;

    public PeerDeaths(ChannelNames names, Action<EndpointIdentity> onDead)
    {
        _names = names;
        _onDead = onDead;
    }

    /// <summary>An association with <paramref name="peer"/> on <paramref name="peerPort"/> ended (any thread).</summary>
    public void AssociationEnded(int peerPort, EndpointIdentity peer)
    {
        if (_stopped)
            return;
        lock (_seen)
            if (!_seen.Add((peerPort, peer.Uid)))
                return; // another association with the same incarnation is already being (or was) checked
        _ = ConfirmAsync(peerPort, peer);
    }

    /// <summary>No more reports: this endpoint is shutting down, and its peers' ends are its own doing.</summary>
    public void Stop() => _stopped = true;

    private async Task ConfirmAsync(int peerPort, EndpointIdentity peer)
    {
        long deadline = Environment.TickCount64 + (long)ConfirmWindow.TotalMilliseconds;
        while (!_stopped)
        {
            if (IsGone(peerPort, peer.Uid))
            {
                if (!_stopped)
                    _onDead(peer);
                return;
            }
            if (Environment.TickCount64 >= deadline)
                break;
            await Task.Delay(CheckInterval).ConfigureAwait(false);
        }
        lock (_seen)
            _seen.Remove((peerPort, peer.Uid)); // alive: a later association with it may end by its death
    }

    /// <summary>
    /// True when the incarnation <paramref name="uid"/> no longer holds <paramref name="port"/>. The lock is tested
    /// before its text is read: a successor that has just taken the lock may not have written its own UID yet, and
    /// then this answers "alive" until it has — never "gone" for a live incarnation.
    /// </summary>
    private bool IsGone(int port, int uid)
    {
        string path = _names.Lock(port);
        if (!Posix.IsLockHeld(path))
            return true;
        string? info = EndpointLock.ReadInfo(path);
        if (info == null)
            return true; // removed by its owner's shutdown (the lock was held a moment ago by a successor or sweeper)
        return EndpointIdentity.FromLockInfo(info) is { } holder ? holder.Uid != uid : info == EndpointLock.SweepingInfo;
    }
}
