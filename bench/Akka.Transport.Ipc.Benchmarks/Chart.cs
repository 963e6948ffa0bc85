using System.Globalization;
using ScottPlot;

namespace Akka.Transport.Ipc.Benchmarks;

/// <summary>The e2e chart: msgs/s per client count, one line per mode (median), each repetition as a dot.</summary>
internal static class Chart
{
    public static void WriteE2E(Report report, string path)
    {
        var plot = new Plot();
        var palette = new Dictionary<string, Color>
        {
            ["ipc-shm"] = Colors.DodgerBlue,
            ["ipc-fifo"] = Colors.DarkOrange,
            ["tcp"] = Colors.Gray,
            [ActorModes.HybridLocal] = Colors.SeaGreen,
            [ActorModes.HybridRemote] = Colors.Crimson,
        };
        var clientCounts = report.E2E.Select(r => r.Clients).Distinct().OrderBy(c => c).ToArray();
        // Evenly spaced categories: 1, 5, 10, 20 read better than a linear axis.
        double X(int clients) => Array.IndexOf(clientCounts, clients);
        double top = 0;
        foreach (var mode in ActorModes.All)
        {
            var rows = report.E2E.Where(r => r.Mode == mode).ToList();
            if (rows.Count == 0)
                continue;
            var color = palette.GetValueOrDefault(mode, Colors.Black);
            var medians = clientCounts.Select(c => Stats.Median(rows.Where(r => r.Clients == c).Select(r => r.MsgsPerSec))).ToArray();
            var line = plot.Add.Scatter(clientCounts.Select(X).ToArray(), medians);
            line.LegendText = mode + " (median)";
            line.Color = color;
            line.LineWidth = 2.5f;
            line.MarkerSize = 9;
            if (report.E2E.Select(r => r.Repetition).Distinct().Count() > 1)
            {
                var dots = plot.Add.Markers(rows.Select(r => X(r.Clients)).ToArray(), rows.Select(r => r.MsgsPerSec).ToArray());
                dots.Color = color.WithAlpha(0.45);
                dots.MarkerSize = 5;
            }
            top = Math.Max(top, rows.Max(r => r.MsgsPerSec));
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            clientCounts.Select(X).ToArray(), clientCounts.Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.SetLimits(-0.3, clientCounts.Length - 0.7, 0, top * 1.15);
        plot.Axes.Bottom.Label.Text = "clients (each keeps 50 messages in flight)";
        plot.Axes.Left.Label.Text = "msgs/s (2 x round trips / s)";
        int reps = report.E2E.Select(r => r.Repetition).Distinct().Count();
        plot.Title($"Akka.Remote e2e, two processes: IPC vs dot-netty TCP ({reps} rep{(reps > 1 ? "s" : "")}, " +
            $"{Environment.ProcessorCount} cores{(reps > 1 ? "; dots = single reps" : "")})");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 1000, 600);
    }
}
