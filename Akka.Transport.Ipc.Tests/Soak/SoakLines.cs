using System.Diagnostics;
using System.Globalization;

namespace Akka.Transport.Ipc.Tests.Soak;

/// <summary>One SOAK-* line a node printed (see SoakNode, SoakReceiver and SoakNodeLife).</summary>
internal sealed record SoakLine(string Kind, long Timestamp, string Address, string Detail, int Index)
{
    public const string Assoc = "SOAK-ASSOC";
    public const string Disassoc = "SOAK-DISASSOC";
    public const string Anomaly = "SOAK-ANOMALY";
    public const string Error = "SOAK-ERROR";
    public const string Stats = "SOAK-STATS";

    /// <summary>The node's SOAK-* lines in the order printed.</summary>
    public static List<SoakLine> Of(IReadOnlyList<string> output)
    {
        var lines = new List<SoakLine>();
        for (int i = 0; i < output.Count; i++)
        {
            string text = output[i];
            if (!text.StartsWith("SOAK-", StringComparison.Ordinal))
                continue;
            var parts = text.Split(' ', 4);
            if (parts.Length < 3 || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long ts))
                continue; // a command's answer, e.g. "SOAK-STARTED"
            lines.Add(new SoakLine(parts[0], ts, parts[2], parts.Length > 3 ? parts[3] : "", i));
        }
        return lines;
    }

    /// <summary>
    /// A SOAK-STATS line's counts: messages checked in total (key "") and cumulatively per sender address.
    /// (Stats lines are "SOAK-STATS ts total address=count …", so the total sits in <see cref="Address"/>.)
    /// </summary>
    public Dictionary<string, long> Counts()
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            [""] = long.Parse(Address, CultureInfo.InvariantCulture),
        };
        foreach (var pair in Detail.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.LastIndexOf('=');
            counts[pair[..eq]] = long.Parse(pair[(eq + 1)..], CultureInfo.InvariantCulture);
        }
        return counts;
    }

    public static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    public static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
