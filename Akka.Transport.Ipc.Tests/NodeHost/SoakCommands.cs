using Akka.Actor;

namespace Akka.Transport.Ipc.Tests.NodeHost;

/// <summary>
/// The chaos soak's commands (one stdin line each, answered with one line; see NodeCommands for the protocol):
/// <code>
///   SOAK-START rate           → SOAK-STARTED       (receiver and coordinator; rate = messages/s to each peer)
///   SOAK-PEERS address …      → SOAK-PEERS count   (stream to exactly these addresses from now on)
/// </code>
/// </summary>
public sealed class SoakCommands(ActorSystem system)
{
    private IActorRef? _node;

    public static bool Handles(string line) => line.StartsWith("SOAK-", StringComparison.Ordinal);

    public string Run(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        try
        {
            switch (parts)
            {
                case ["SOAK-START", var rate] when _node is null:
                    system.ActorOf(Props.Create<SoakReceiver>(), SoakReceiver.Name);
                    _node = system.ActorOf(Props.Create(() => new SoakNode(int.Parse(rate, System.Globalization.CultureInfo.InvariantCulture))), SoakNode.Name);
                    return "SOAK-STARTED";
                case ["SOAK-PEERS", ..] when _node is not null:
                    _node.Tell(new SoakNode.Peers(parts[1..]));
                    return $"SOAK-PEERS {parts.Length - 1}";
                default:
                    return $"FAILED {parts[0]} unexpected '{line}'";
            }
        }
        catch (Exception e) when (e is FormatException or OverflowException or InvalidActorNameException)
        {
            return $"FAILED {parts[0]} {e.Message}";
        }
    }
}
