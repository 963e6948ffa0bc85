using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Akka.Remote;

namespace Akka.Transport.Ipc.Tests.Soak;

/// <summary>
/// The soak's per-node coordinator (<c>/user/soak</c>): one <see cref="SoakSender"/> per peer address it is given
/// (<see cref="Peers"/>), and the node's view of its associations, printed with a CLOCK_MONOTONIC timestamp
/// (<see cref="Stopwatch.GetTimestamp"/>, the same clock in every process on the host):
/// <code>
///   SOAK-ASSOC ts address       an association with address is up (AssociatedEvent)
///   SOAK-DISASSOC ts address    an association with address ended (DisassociatedEvent)
/// </code>
/// A payload of one of its senders that this ActorSystem dropped to dead letters is handed to that sender, which
/// prints it (SOAK-DROPPED, see <see cref="SoakSender"/>).
/// A DisassociatedEvent also tells the sender to that address to stop and look for its receiver again.
/// </summary>
public sealed class SoakNode : ReceiveActor
{
    public const string Name = "soak";

    private readonly int _messagesPerSecond;
    private readonly Dictionary<string, IActorRef> _senders = new(StringComparer.Ordinal);
    private int _generation;

    public SoakNode(int messagesPerSecond)
    {
        _messagesPerSecond = messagesPerSecond;
        Receive<AssociatedEvent>(e => Print($"SOAK-ASSOC {Stopwatch.GetTimestamp()} {e.RemoteAddress}"));
        Receive<DisassociatedEvent>(e =>
        {
            Print($"SOAK-DISASSOC {Stopwatch.GetTimestamp()} {e.RemoteAddress}");
            if (_senders.TryGetValue(e.RemoteAddress.ToString(), out var sender))
                sender.Tell(SoakSender.Lost.Instance);
        });
        Receive<Peers>(SetPeers);
        // Akka.Remote drops what is sent to an address it gates (after an association ended) to dead letters: the
        // sender says which of its messages those were, so a receiver's missing messages can be accounted for.
        Receive<DeadLetter>(d => d.Message is byte[] && _senders.ContainsValue(d.Sender),
            d => d.Sender.Tell(new SoakSender.Dropped((byte[])d.Message)));
    }

    /// <summary>The addresses this node streams to from now on (senders to others stop).</summary>
    public sealed record Peers(IReadOnlyList<string> Addresses);

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(AssociatedEvent));
        Context.System.EventStream.Subscribe(Self, typeof(DisassociatedEvent));
        Context.System.EventStream.Subscribe(Self, typeof(DeadLetter));
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    private void SetPeers(Peers peers)
    {
        foreach (var gone in _senders.Keys.Except(peers.Addresses, StringComparer.Ordinal).ToList())
        {
            Context.Stop(_senders[gone]);
            _senders.Remove(gone);
        }
        foreach (var address in peers.Addresses.Where(a => !_senders.ContainsKey(a)))
        {
            var props = Props.Create(() => new SoakSender(address, _messagesPerSecond));
            _senders[address] = Context.ActorOf(props, $"to-{++_generation}");
        }
    }

    private static void Print(string line)
    {
        Console.Out.WriteLine(line);
        Console.Out.Flush();
    }
}
