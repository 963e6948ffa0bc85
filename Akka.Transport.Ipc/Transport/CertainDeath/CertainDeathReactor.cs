using Akka.Actor;
using Akka.Event;
using Akka.Remote;

namespace Akka.Transport.Ipc.Transport.CertainDeath;

/// <summary>
/// The actor behind <see cref="CertainDeathReactions"/>: for each <see cref="PeerEndpointTerminated"/> it
/// <list type="number">
/// <item>quarantines that incarnation (<see cref="IRemoteActorRefProvider.Quarantine"/> with the event's UID). Akka
/// quarantines per UID: if the address's live association already belongs to a newer incarnation (a restart on the
/// same address), Akka leaves it alone. Otherwise Akka publishes <see cref="QuarantinedEvent"/>, on which
/// Akka.Cluster marks the member unreachable at once;</item>
/// <item>when that <see cref="QuarantinedEvent"/> for the same address and UID comes back, and only then, publishes
/// Akka's AddressTerminated, so remote DeathWatch delivers <c>Terminated</c> now. Waiting for it is how the reactor
/// knows the dead UID is the one Akka currently has for the address: actors of a newer incarnation at the same
/// address are never reported dead. If it does not come within <see cref="ConfirmationTimeout"/> (Akka knows
/// another incarnation, or had quarantined this one already and told its watchers itself), it is skipped;</item>
/// <item>hands the event to the companion reaction (down-dead-peers), if one is loaded.</item>
/// </list>
/// One INFO line per reaction says what was done. Nothing here throws out of a handler for a peer's sake.
/// </summary>
internal sealed class CertainDeathReactor : UntypedActor
{
    /// <summary>How long to wait for Akka to confirm the quarantine; it normally takes milliseconds.</summary>
    internal static readonly TimeSpan ConfirmationTimeout = TimeSpan.FromSeconds(5);

    private readonly IRemoteActorRefProvider _provider;
    private readonly bool _certainDeath;
    private readonly AddressTerminatedPublisher? _publisher;
    private readonly IPeerDeathReaction? _companion;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<(Address, int), ICancelable> _awaitingQuarantine = new();

    public CertainDeathReactor(IRemoteActorRefProvider provider, bool certainDeath, AddressTerminatedPublisher? publisher,
        IPeerDeathReaction? companion)
    {
        _provider = provider;
        _certainDeath = certainDeath;
        _publisher = publisher;
        _companion = companion;
    }

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(PeerEndpointTerminated));
        if (_certainDeath && _publisher != null)
            Context.System.EventStream.Subscribe(Self, typeof(QuarantinedEvent));
    }

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        foreach (var timer in _awaitingQuarantine.Values)
            timer.Cancel();
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case PeerEndpointTerminated dead:
                OnPeerTerminated(dead);
                break;
            case QuarantinedEvent quarantined:
                OnQuarantined(quarantined);
                break;
            case Unconfirmed unconfirmed when _awaitingQuarantine.Remove(unconfirmed.Key):
                _log.Info("Peer {0} (uid {1}) is gone for certain (its IPC endpoint lock was released); quarantine of that " +
                    "incarnation requested, but Akka did not confirm it within {2} s (it knows a newer incarnation at that " +
                    "address, or had quarantined this one before), so remote DeathWatch is not notified by this path",
                    unconfirmed.Key.Item1, unconfirmed.Key.Item2, ConfirmationTimeout.TotalSeconds);
                break;
            case Unconfirmed:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void OnPeerTerminated(PeerEndpointTerminated dead)
    {
        if (_certainDeath)
            Quarantine(dead);
        if (_companion == null)
            return;
        try
        {
            _companion.React(dead, _log);
        }
        catch (Exception e)
        {
            _log.Warning("{0} failed for {1}: {2}", _companion.GetType().Name, dead, e);
        }
    }

    private void Quarantine(PeerEndpointTerminated dead)
    {
        var key = (dead.Address, dead.Uid);
        if (_awaitingQuarantine.ContainsKey(key))
            return;
        try
        {
            _provider.Quarantine(dead.Address, dead.Uid);
        }
        catch (Exception e)
        {
            _log.Warning("Could not quarantine {0} (uid {1}), whose IPC endpoint is gone: {2}", dead.Address, dead.Uid, e.Message);
            return;
        }
        if (_publisher == null)
        {
            _log.Info("Peer {0} (uid {1}) is gone for certain (its IPC endpoint lock was released): quarantined that " +
                "incarnation; remote DeathWatch is left to Akka's failure detector (AddressTerminated is unavailable)",
                dead.Address, dead.Uid);
            return;
        }
        _awaitingQuarantine[key] = Context.System.Scheduler.ScheduleTellOnceCancelable(
            ConfirmationTimeout, Self, new Unconfirmed(key), Self);
    }

    private void OnQuarantined(QuarantinedEvent quarantined)
    {
        var key = (quarantined.Address, quarantined.Uid);
        if (!_awaitingQuarantine.Remove(key, out var timer))
            return;
        timer.Cancel();
        try
        {
            _publisher!.Publish(Context.System, quarantined.Address);
        }
        catch (Exception e)
        {
            _log.Warning("Peer {0} (uid {1}) was quarantined, but publishing AddressTerminated failed, so remote DeathWatch " +
                "waits for Akka's failure detector: {2}", quarantined.Address, quarantined.Uid, e.Message);
            return;
        }
        _log.Info("Peer {0} (uid {1}) is gone for certain (its IPC endpoint lock was released): quarantined that " +
            "incarnation and notified remote DeathWatch (AddressTerminated)", quarantined.Address, quarantined.Uid);
    }

    /// <summary>The quarantine of this incarnation was not confirmed in time.</summary>
    private sealed record Unconfirmed((Address, int) Key);
}
