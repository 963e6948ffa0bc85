using System.Collections.Concurrent;
using Akka.Actor;

namespace Akka.Transport.Ipc.Transport;

/// <summary>
/// Addresses of co-located peers that died recently (their IPC endpoint lock was released), for two rules of
/// <c>Associate</c>:
/// <list type="number">
/// <item>In either mode, for <see cref="HoldOff"/> after the death no outbound association to the address is made at all: Akka.Remote
/// 1.5 can orphan a writer it starts in the moment it quarantines the dead incarnation (the quarantine stops the old
/// writer; a message sent before that writer's Terminated arrives starts a new one; the late Terminated then removes the
/// new writer's registration). An orphan that reaches a fast-restarted incarnation leaves Akka with two associations to
/// it, and the one this node writes on is the one the peer stopped reading (seen in the restart spec: the restarted
/// member never received InitJoinAck; plain akka.ipc members restarted on their IPC port at once did the same, 2 of 34
/// runs of the IPC restart spec without the hold-off). Failing the attempt ends the orphan; the restarted peer
/// associates with this node itself, and Akka keeps the dead uid quarantined either way.</item>
/// <item>Hybrid only: after that, such a peer restarted on the same address binds its network listener a moment before it
/// advertises itself in the IPC directory, so a connection attempt in between reaches it over the network. A network
/// association is held back for up to <see cref="Patience"/> while the directory is watched, and replaced by the
/// shortcut as soon as it appears.</item>
/// </list>
/// </summary>
internal sealed class RestartingPeers
{
    /// <summary>How long after its death an address counts as possibly restarting.</summary>
    private static readonly TimeSpan Memory = TimeSpan.FromMinutes(1);

    /// <summary>How long a network association to such an address waits for the restarted peer to advertise.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(2);

    /// <summary>How long after its death no outbound association to the address is attempted.</summary>
    public static readonly TimeSpan HoldOff = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<Address, long> _diedAt = new();

    /// <summary>The co-located peer at <paramref name="address"/> (transport level) died.</summary>
    public void Died(Address address) => _diedAt[address] = Environment.TickCount64;

    /// <summary>
    /// True when the co-located peer at <paramref name="address"/> died less than <see cref="HoldOff"/> ago;
    /// <paramref name="ago"/> says how long ago.
    /// </summary>
    public bool InHoldOff(Address address, out TimeSpan ago)
    {
        ago = TimeSpan.Zero;
        if (!_diedAt.TryGetValue(address, out long at))
            return false;
        ago = TimeSpan.FromMilliseconds(Environment.TickCount64 - at);
        return ago < HoldOff;
    }

    /// <summary>True when the co-located peer at <paramref name="address"/> died within the last minute.</summary>
    public bool DiedRecently(Address address)
    {
        if (!_diedAt.TryGetValue(address, out long at))
            return false;
        if (Environment.TickCount64 - at < Memory.TotalMilliseconds)
            return true;
        _diedAt.TryRemove(address, out _);
        return false;
    }
}
