using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Akka.Transport.Ipc.Tool;

/// <summary>The three commands; each returns the process exit code.</summary>
public static class Commands
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static int List(string directory, bool json, TextWriter output)
    {
        var endpoints = EndpointSurvey.Read(directory);
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new { directory, endpoints }, Json));
            return 0;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        if (Console.IsOutputRedirected)
            console.Profile.Width = 240; // a file or a pipe has no width: do not wrap every cell to 80 columns
        console.Write(Table(directory, endpoints, baselineOf: _ => null));
        foreach (var e in endpoints.Where(e => e.Problem != null))
            output.WriteLine($"endpoint {e.Port}: {e.Problem}"); // whole, where a table cell would wrap it
        return 0;
    }

    /// <summary>
    /// Refreshes every second, <paramref name="count"/> times (0 = until Ctrl+C). On a terminal the table is redrawn
    /// in place; into a file or a pipe each refresh is written whole, one after the other, at a width that does not
    /// wrap. Rates are computed between two statistics documents an endpoint published, over the time between them
    /// (their own timestamps), so a refresh that finds the same document as the last one shows the same rates.
    /// </summary>
    public static int Watch(string directory, int count)
    {
        var rates = new RateBaselines();
        Table Refresh() => Table(directory, rates.Update(EndpointSurvey.Read(directory)), rates.BaselineOf);
        if (Console.IsOutputRedirected)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
            console.Profile.Width = 400; // a file or a pipe has no width: one line per row, rates included
            for (int i = 0; count == 0 || i < count; i++)
            {
                if (i > 0)
                    Thread.Sleep(1000);
                console.Write(Refresh());
                Console.Out.Flush();
            }
            return 0;
        }
        AnsiConsole.Live(new Text("")).Start(context =>
        {
            for (int i = 0; count == 0 || i < count; i++)
            {
                if (i > 0)
                    Thread.Sleep(1000);
                context.UpdateTarget(Refresh());
                context.Refresh();
            }
        });
        return 0;
    }

    public static int Clean(string directory, bool dryRun, TextWriter output)
    {
        var debris = dryRun ? DirectoryCleaner.Debris(directory) : DirectoryCleaner.Clean(directory);
        string verb = dryRun ? "would remove" : "removed";
        foreach (var path in debris)
            output.WriteLine($"{verb} {path}");
        output.WriteLine(debris.Count == 0 ? "nothing to remove: no dead endpoint left anything" : $"{verb} {debris.Count} entries of dead endpoints");
        return 0;
    }

    /// <param name="baselineOf">The earlier statistics of an endpoint to compute rates against (null: no rates).</param>
    private static Table Table(string directory, IReadOnlyList<EndpointView> endpoints, Func<EndpointView, EndpointView?> baselineOf)
    {
        var table = new Table().Title($"IPC endpoints in {Markup.Escape(directory)}");
        foreach (var column in new[] { "port", "state", "pid", "address", "mode", "started", "peer", "channel", "dir", "frames out/in", "bytes out/in", "back-pressured", "queued B", "ring used B", "ended" })
            table.AddColumn(column);
        foreach (var e in endpoints)
        {
            string ended = string.Join(" ", e.Ended.Select(kv => $"{kv.Key}:{kv.Value}"));
            string state = e.Alive ? "[green]alive[/]" : "[red]dead[/]";
            string started = e.StartedAt?.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture) ?? "";
            if (e.Associations.Count == 0)
                table.AddRow(Id(e.Port), state, Id(e.Pid), Markup.Escape(e.Address ?? ""), Markup.Escape(e.Mode ?? ""), started,
                    Markup.Escape(e.Problem ?? ""), "", "", "", "", "", "", "", Markup.Escape(ended));
            var before = baselineOf(e);
            double seconds = before?.UpdatedAt is { } then && e.UpdatedAt is { } now ? (now - then).TotalSeconds : 0;
            bool first = true;
            foreach (var a in e.Associations)
            {
                var old = before?.Associations.FirstOrDefault(o => o.Peer == a.Peer && o.Direction == a.Direction && o.OpenedAt == a.OpenedAt);
                string frames = $"{a.FramesSent:N0}/{a.FramesReceived:N0}" + Rate(a.FramesSent - old?.FramesSent, a.FramesReceived - old?.FramesReceived, seconds, "/s");
                string bytes = $"{a.BytesSent:N0}/{a.BytesReceived:N0}" + Rate(a.BytesSent - old?.BytesSent, a.BytesReceived - old?.BytesReceived, seconds, " B/s");
                table.AddRow(first ? Id(e.Port) : "", first ? state : "", first ? Id(e.Pid) : "", first ? Markup.Escape(e.Address ?? "") : "",
                    first ? Markup.Escape(e.Mode ?? "") : "", first ? started : "", Markup.Escape(a.Peer), a.Channel, a.Direction,
                    Markup.Escape(frames), Markup.Escape(bytes), Cell(a.WritesBackPressured), Cell(a.QueuedBytes), Cell(a.RingUsedBytes),
                    first ? Markup.Escape(ended) : "");
                first = false;
            }
        }
        if (endpoints.Count == 0)
            table.Caption("no endpoints");
        return table;
    }

    private static string Rate(long? sent, long? received, double seconds, string unit) =>
        sent is long s && received is long r && seconds > 0
            ? $" ({(s / seconds).ToString("N0", CultureInfo.InvariantCulture)}/{(r / seconds).ToString("N0", CultureInfo.InvariantCulture)}{unit})"
            : "";

    private static string Id(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    private static string Cell(long? value) => value?.ToString("N0", CultureInfo.InvariantCulture) ?? "";
}
