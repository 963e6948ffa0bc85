using Akka.Actor;

namespace Akka.Transport.Ipc.Tests.NodeHost;

/// <summary>
/// The chaos soak's commands (one stdin line each, answered with one line echoing the harness's "#id " prefix; see
/// NodeCommands for the protocol). They are not counted by NodeCommands' BARRIER, so a test that mixes them with
/// barriers must not rely on the barrier's count (the soak uses none):
/// <code>
///   SOAK-START rate           → SOAK-STARTED       (receiver and coordinator; rate = messages/s to each peer)
///   SOAK-PEERS address …      → SOAK-PEERS count   (stream to exactly these addresses from now on)
/// </code>
/// </summary>
public sealed class SoakCommands(ActorSystem system)
{
    private IActorRef? _node;

    public static bool Handles(string line) => WithoutId(line, out _).StartsWith("SOAK-", StringComparison.Ordinal);

    public string Run(string line) => IdOf(line) + RunCommand(WithoutId(line, out _));

    private static string IdOf(string line)
    {
        WithoutId(line, out string id);
        return id;
    }

    // "#12 SOAK-PEERS a b" → "SOAK-PEERS a b", id "#12 "
    private static string WithoutId(string line, out string id)
    {
        id = "";
        if (!line.StartsWith('#'))
            return line;
        int space = line.IndexOf(' ');
        if (space < 0)
            return "";
        id = line[..(space + 1)];
        return line[(space + 1)..].Trim();
    }

    private string RunCommand(string line)
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
