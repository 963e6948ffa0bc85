using Akka.Actor;
using Akka.Event;

namespace Akka.Transport.Ipc.Transport.CertainDeath;

/// <summary>
/// A reaction to the certain death of a co-located peer that lives outside the core assembly, so that the core does
/// not depend on what it needs (Akka.Cluster). The core loads it by type name (see <see cref="CertainDeathReactions"/>)
/// through a public constructor taking the <see cref="ExtendedActorSystem"/>; that constructor runs while remoting
/// starts and must throw a <see cref="Akka.Configuration.ConfigurationException"/> naming the key that asked for it
/// when it cannot work in this system (the ActorSystem then fails to start).
/// </summary>
public interface IPeerDeathReaction
{
    /// <summary>
    /// Called once per <see cref="PeerEndpointTerminated"/>, on the certain-death reactor actor (one at a time, after
    /// the incarnation was quarantined when <c>certain-death</c> is on). Must not block; an exception is logged as a
    /// warning and does not stop later reactions. Logs one INFO line saying what it did or why not.
    /// </summary>
    void React(PeerEndpointTerminated dead, ILoggingAdapter log);
}
