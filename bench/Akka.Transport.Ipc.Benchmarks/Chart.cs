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

    /// <summary>
    /// The scale chart: aggregate msgs/s (left) and the transport threads' CPU us per message (right) against the
    /// process count, one line per mode and variant.
    /// </summary>
    public static void WriteScale(Report report, string path)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        var (rate, cost) = (multiplot.GetPlot(0), multiplot.GetPlot(1));
        var counts = report.Scale.Select(r => r.Processes).Distinct().OrderBy(p => p).ToArray();
        double X(int p) => Array.IndexOf(counts, p);
        foreach (var (mode, color) in new[] { ("ipc-shm", Colors.DodgerBlue), ("tcp", Colors.Gray) })
        {
            foreach (var (variant, pattern) in new[] { (Bench.Mesh, LinePattern.Solid), (Bench.Hub, LinePattern.Dashed) })
            {
                var rows = report.Scale.Where(r => r.Mode == mode && r.Variant == variant).OrderBy(r => r.Processes).ToList();
                if (rows.Count == 0)
                    continue;
                var xs = rows.Select(r => X(r.Processes)).ToArray();
                foreach (var (plot, ys) in new[] { (rate, rows.Select(r => r.MsgsPerSec).ToArray()), (cost, rows.Select(r => r.TransportUsPerMsg).ToArray()) })
                {
                    var line = plot.Add.Scatter(xs, ys);
                    line.LegendText = $"{mode} {variant}";
                    line.Color = color;
                    line.LinePattern = pattern;
                    line.LineWidth = 2.5f;
                    line.MarkerSize = 8;
                }
            }
        }
        foreach (var plot in new[] { rate, cost })
        {
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                counts.Select(X).ToArray(), counts.Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray());
            plot.Axes.Bottom.Label.Text = "processes (mesh: each streams to every other; hub: all to one)";
            plot.Axes.AutoScale();
            plot.Axes.SetLimitsX(-0.3, counts.Length - 0.7);
            plot.Axes.SetLimitsY(0, plot.Axes.GetLimits().Top * 1.15);
            plot.ShowLegend(Alignment.UpperRight);
        }
        rate.Axes.Left.Label.Text = "msgs/s delivered, all processes";
        rate.Title($"Scale: aggregate throughput ({Environment.ProcessorCount} cores)");
        cost.Axes.Left.Label.Text = "transport threads' CPU us per message";
        cost.Title("Scale: the transport's own CPU per message");
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        multiplot.SavePng(path, 1400, 560);
    }
}
