using System.Reflection;
using System.Runtime.ExceptionServices;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote;
using Akka.Transport.Ipc.Configuration;

namespace Akka.Transport.Ipc.Transport.CertainDeath;

/// <summary>
/// Makes the certain death of a co-located peer (<see cref="PeerEndpointTerminated"/>) count for Akka, as
/// <c>akka.remote.ipc.certain-death</c> and <c>down-dead-peers</c> say. The transport calls <see cref="Start"/> once
/// when it starts listening and disposes the result when it shuts down.
/// </summary>
public static class CertainDeathReactions
{
    /// <summary>The companion that downs dead cluster members, loaded by name so the core never references Akka.Cluster.</summary>
    internal const string DownDeadPeersTypeName = "Akka.Transport.Ipc.Cluster.DownDeadPeers, Akka.Transport.Ipc.Cluster";

    /// <summary>Name of the reactor under <c>/system</c>.</summary>
    internal const string ActorName = "ipc-certain-death";

    private static readonly IDisposable Nothing = new Stopper(null);

    /// <summary>
    /// Starts the reactor when <c>certain-death</c> or <c>down-dead-peers</c> is on (a no-op disposable otherwise).
    /// Call it before the endpoint listens: it fails, with a <see cref="ConfigurationException"/> naming
    /// <c>akka.remote.ipc.down-dead-peers</c>, when that key is on and the Akka.Transport.Ipc.Cluster assembly
    /// cannot be loaded or the system's provider is not the cluster provider. When Akka's internal
    /// AddressTerminated is missing (a changed Akka), it logs one warning and goes on without it.
    /// </summary>
    /// <remarks>One reactor per system (named <c>/system/ipc-certain-death</c>): a second transport in the same system gets a
    /// no-op, since the events are published system-wide.</remarks>
    /// <returns>Stops the reactor (and its subscriptions) when disposed; idempotent.</returns>
    public static IDisposable Start(ExtendedActorSystem system, IpcSettings settings, ILoggingAdapter log)
    {
        if (!settings.CertainDeath && !settings.DownDeadPeers)
            return Nothing;
        var companion = settings.DownDeadPeers ? LoadDownDeadPeers(system) : null;
        // A bare transport in a local system (tests, tools) has nothing to quarantine or down.
        if (system.Provider is not IRemoteActorRefProvider provider)
            return Nothing;
        AddressTerminatedPublisher? publisher = null;
        if (settings.CertainDeath)
        {
            publisher = AddressTerminatedPublisher.TryCreate(out string missing);
            if (publisher == null)
                log.Warning("akka.remote.ipc.certain-death: Akka's internal AddressTerminated is not usable ({0}); a dead " +
                    "co-located peer is still quarantined at once, but remote DeathWatch waits for Akka's failure detector", missing);
        }
        IActorRef reactor;
        try
        {
            reactor = system.SystemActorOf(
                Props.Create(() => new CertainDeathReactor(provider, settings.CertainDeath, publisher, companion)).WithDeploy(Deploy.Local),
                ActorName);
        }
        catch (InvalidActorNameException)
        {
            // Another IPC transport of this system runs the reactor already; the events are system-wide, one is enough.
            return Nothing;
        }
        return new Stopper(() => system.Stop(reactor));
    }

    /// <summary>Creates the Akka.Cluster companion, or fails naming the key.</summary>
    internal static IPeerDeathReaction LoadDownDeadPeers(ExtendedActorSystem system, string typeName = DownDeadPeersTypeName)
    {
        const string Key = IpcSettings.SectionPath + ".down-dead-peers";
        Type? type;
        try
        {
            type = Type.GetType(typeName, throwOnError: true);
        }
        catch (Exception e) when (e is TypeLoadException or FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            throw new ConfigurationException(
                $"{Key} = on needs the Akka.Transport.Ipc.Cluster assembly (reference the Akka.Transport.Ipc.Cluster " +
                $"package), but {typeName} cannot be loaded: {e.Message}", e);
        }
        if (type == null || !typeof(IPeerDeathReaction).IsAssignableFrom(type))
            throw new ConfigurationException($"{Key} = on: {typeName} is not an {nameof(IPeerDeathReaction)}.");
        try
        {
            return (IPeerDeathReaction)Activator.CreateInstance(type, system)!;
        }
        catch (TargetInvocationException e) when (e.InnerException != null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    private sealed class Stopper(Action? stop) : IDisposable
    {
        private Action? _stop = stop;

        public void Dispose() => Interlocked.Exchange(ref _stop, null)?.Invoke();
    }
}
