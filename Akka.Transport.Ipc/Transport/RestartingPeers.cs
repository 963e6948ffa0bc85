using System.Collections.Concurrent;
using Akka.Actor;

namespace Akka.Transport.Ipc.Transport;

/// <summary>
/// Network addresses of co-located peers that died recently (hybrid mode). Such a peer restarted on the same
/// address binds its network listener a moment before it advertises itself in the IPC directory, so a connection
/// attempt in between reaches it over the network. For these addresses a network association is held back for up
/// to <see cref="Patience"/> while the directory is watched, and replaced by the shortcut as soon as it appears.
/// </summary>
internal sealed class RestartingPeers
{
    /// <summary>How long after its death an address counts as possibly restarting.</summary>
    private static readonly TimeSpan Memory = TimeSpan.FromMinutes(1);

    /// <summary>How long a network association to such an address waits for the restarted peer to advertise.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<Address, long> _diedAt = new();

    /// <summary>The co-located peer at <paramref name="address"/> (transport level) died.</summary>
    public void Died(Address address) => _diedAt[address] = Environment.TickCount64;

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
