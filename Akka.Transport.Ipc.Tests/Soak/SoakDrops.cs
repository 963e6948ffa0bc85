using System.Globalization;
using System.Text.RegularExpressions;

namespace Akka.Transport.Ipc.Tests.Soak;

/// <summary>
/// Accounts for whole messages a soak receiver never got (its "start" and "lost" anomalies) by the sending ActorSystem's
/// own dead letters. Akka.Remote delivers at most once: after an association ends it gates the address for a while
/// (retry-gate-closed-for, 5 s) and drops what is sent to it meanwhile to dead letters, in the sender's process, before
/// any transport sees it. Such a message was never accepted by the transport, so its absence is Akka's and not a loss
/// of this transport. A missing message is explained only when the sender printed SOAK-DROPPED for exactly that
/// receiver incarnation (receiver uid), sender incarnation (sender uid), epoch and sequence number; anything else a
/// stream shows (a gap, a duplicate, an order change, a wrong byte, a missing message the sender did not drop) stays
/// unexplained.
/// </summary>
internal static partial class SoakDrops
{
    /// <summary>Every payload the given output says its senders dropped: (receiver uid, sender uid, epoch, seq).</summary>
    public static HashSet<(long Receiver, long Sender, int Epoch, int Seq)> Of(IEnumerable<string> output)
    {
        var drops = new HashSet<(long, long, int, int)>();
        foreach (var line in output)
        {
            // "SOAK-DROPPED ts address receiverUid senderUid epoch seq"
            int at = line.IndexOf("SOAK-DROPPED ", StringComparison.Ordinal);
            if (at < 0)
                continue;
            var parts = line[at..].Split(' ');
            if (parts.Length == 7)
                drops.Add((Long(parts[3]), Long(parts[4]), (int)Long(parts[5]), (int)Long(parts[6])));
        }
        return drops;
    }

    /// <summary>
    /// True when <paramref name="anomaly"/> (a SOAK-ANOMALY line) reports whole missing messages and every one of them
    /// is in <paramref name="drops"/>.
    /// </summary>
    public static bool Explains(string anomaly, IReadOnlySet<(long Receiver, long Sender, int Epoch, int Seq)> drops)
    {
        var missing = MissingPattern().Match(anomaly);
        if (!missing.Success)
            return false;
        int epoch = (int)Long(missing.Groups["epoch"].Value);
        long first = Long(missing.Groups["first"].Value), last = Long(missing.Groups["last"].Value);
        long receiver = Long(missing.Groups["receiver"].Value), sender = Long(missing.Groups["sender"].Value);
        for (long seq = first; seq <= last; seq++)
        {
            if (!drops.Contains((receiver, sender, epoch, (int)seq)))
                return false;
        }
        return true;
    }

    private static long Long(string text) => long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    [GeneratedRegex(@" (start|lost) .*\[missing (?<epoch>\d+):(?<first>\d+)-(?<last>-?\d+) receiver (?<receiver>-?\d+) sender (?<sender>-?\d+)\]$")]
    private static partial Regex MissingPattern();
}
