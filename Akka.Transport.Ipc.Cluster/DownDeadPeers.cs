using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Transport.Ipc.Transport.CertainDeath;

namespace Akka.Transport.Ipc.Cluster;

/// <summary>
/// <c>akka.remote.ipc.down-dead-peers = on</c>: when a co-located peer's process is gone for certain
/// (<see cref="PeerEndpointTerminated"/>), downs its cluster member at once, so the leader removes it in about a gossip
/// round instead of after failure detection plus the downing provider's <c>stable-after</c>. Acts if, and only if, the
/// cluster's current member at that address is the incarnation that died (same UID): a node restarted on the same
/// address is never downed for its predecessor. A frozen, slow or partitioned process never produces the event.
/// Loaded by Akka.Transport.Ipc by type name; called on its certain-death reactor actor.
/// </summary>
public sealed class DownDeadPeers : IPeerDeathReaction
{
    private readonly ExtendedActorSystem _system;

    /// <summary>Checks that the system runs Akka.Cluster; called while remoting starts.</summary>
    /// <exception cref="ConfigurationException">The provider is not the cluster provider; names the key.</exception>
    public DownDeadPeers(ExtendedActorSystem system)
    {
        if (system.Provider is not Akka.Cluster.ClusterActorRefProvider)
            throw new ConfigurationException(
                "akka.remote.ipc.down-dead-peers = on needs Akka.Cluster (akka.actor.provider = cluster), but this " +
                $"system's provider is {system.Provider.GetType().FullName}. Turn the key off or use the cluster provider.");
        _system = system;
    }

    /// <inheritdoc />
    public void React(PeerEndpointTerminated dead, ILoggingAdapter log)
    {
        // Not taken at construction: the Cluster extension needs the transport's address, which exists only after Listen.
        var cluster = Akka.Cluster.Cluster.Get(_system);
        var member = cluster.State.Members.FirstOrDefault(m => m.Address.Equals(dead.Address));
        if (member == null)
        {
            log.Info("down-dead-peers: {0} (uid {1}) is gone for certain, but it is not a member of this node's view of the cluster; nothing to down",
                dead.Address, dead.Uid);
            return;
        }
        if (member.UniqueAddress.Uid != dead.Uid)
        {
            log.Info("down-dead-peers: {0} (uid {1}) is gone for certain, but the member at that address is incarnation uid {2}; not downing it",
                dead.Address, dead.Uid, member.UniqueAddress.Uid);
            return;
        }
        log.Info("down-dead-peers: downing {0} (uid {1}, {2}): its process is gone for certain (its IPC endpoint lock was released)",
            dead.Address, dead.Uid, member.Status);
        cluster.Down(dead.Address);
    }
}
