using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Examples;

/// <summary>
/// OpenTelemetry for real: <c>examples/PingPong --otel</c> (ping and the pong it starts, two processes) exports the
/// meter <c>Akka.Transport.Ipc</c> through OpenTelemetry 1.20's MeterProvider and console exporter; the final export of
/// each process holds every instrument the exchange touches, tagged with its system and channel, and the counts agree
/// across the processes: every frame and byte ping's transport accepted, pong's delivered.
/// </summary>
public sealed partial class OpenTelemetryExampleTests(ITestOutputHelper output) : IDisposable
{
    private const int Messages = 300;
    private const int Size = 100;
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(90);
    private readonly IpcTestDirectory _directory = new();

    [Fact]
    public async Task PingPong_with_otel_exports_the_transport_meter_of_both_processes_through_the_console_exporter()
    {
        var (exitCode, stdout, stderr) = await RunPingPongAsync("--otel", "--messages", Inv(Messages), "--size", Inv(Size));
        Assert.True(exitCode == 0, $"exit code {exitCode}: {stderr}");

        var ping = Exported(stdout, pong: false);
        var pong = Exported(stdout, pong: true);
        Assert.Contains("service.name: ping", string.Join('\n', stdout.Split('\n').Where(l => !l.StartsWith("pong| ", StringComparison.Ordinal))));
        Assert.Contains("pong| \tservice.name: pong", stdout);
        Assert.Contains("\tName: Akka.Transport.Ipc", stdout); // the instrumentation scope: the meter

        // One association each, over shared memory, ended by the time of the final export.
        Assert.Equal(1, ping.Value("akka.ipc.associations.opened", "Ping", "ipc.direction: outbound"));
        Assert.Equal(1, pong.Value("akka.ipc.associations.opened", "Pong", "ipc.direction: inbound"));
        Assert.Equal(0, ping.Value("akka.ipc.associations.open", "Ping"));
        Assert.Equal(0, pong.Value("akka.ipc.associations.open", "Pong"));
        Assert.Equal(1, ping.Sum("akka.ipc.associations.ended", "Ping"));
        Assert.Equal(1, pong.Sum("akka.ipc.associations.ended", "Pong"));

        // Every Ask and every reply is a frame (plus Akka's handshake and ActorSelection); nothing waited for space.
        long pingSent = ping.Value("akka.ipc.frames.sent", "Ping");
        Assert.InRange(pingSent, Messages, Messages + 20);
        Assert.InRange(ping.Value("akka.ipc.frames.received", "Ping"), Messages, Messages + 20);
        Assert.True(ping.Value("akka.ipc.bytes.sent", "Ping") > (long)Messages * Size);
        foreach (var (side, system) in new[] { (ping, "Ping"), (pong, "Pong") })
        {
            Assert.Equal(0, side.Value("akka.ipc.writes.backpressured", system));
            Assert.Equal(0, side.Value("akka.ipc.queued.bytes", system));
            Assert.Equal(0, side.Value("akka.ipc.ring.used", system));
            side.Value("akka.ipc.doorbell.posts", system); // exported (its value depends on scheduling)
            side.Value("akka.ipc.receiver.sleeps", system);
        }

        // Exact across the processes: what ping's transport accepted, pong's delivered, frame for frame, byte for byte
        // (an orderly shutdown flushes); pong→ping may end with frames ping no longer read.
        Assert.Equal(pingSent, pong.Value("akka.ipc.frames.received", "Pong"));
        Assert.Equal(ping.Value("akka.ipc.bytes.sent", "Ping"), pong.Value("akka.ipc.bytes.received", "Pong"));
        Assert.True(ping.Value("akka.ipc.frames.received", "Ping") <= pong.Value("akka.ipc.frames.sent", "Pong"));
        Assert.True(ping.Value("akka.ipc.bytes.received", "Ping") <= pong.Value("akka.ipc.bytes.sent", "Pong"));
    }

    /// <summary>The points of one process's exports (pong's lines are forwarded by ping, marked "pong| ").</summary>
    private static ExportedPoints Exported(string stdout, bool pong)
    {
        var lines = stdout.Split('\n').Select(l => l.TrimEnd('\r'))
            .Where(l => l.StartsWith("pong| ", StringComparison.Ordinal) == pong)
            .Select(l => pong ? l["pong| ".Length..] : l).ToList();
        var points = new List<(string Metric, string Tags, long Value)>();
        string? metric = null, tags = null;
        foreach (var line in lines)
        {
            if (MetricLine().Match(line) is { Success: true } m)
                (metric, tags) = (m.Groups[1].Value, null);
            else if (metric != null && PointLine().Match(line) is { Success: true } p)
                tags = p.Groups[1].Value.Trim();
            else if (metric != null && tags != null && ValueLine().Match(line) is { Success: true } v)
            {
                points.Add((metric, tags, long.Parse(v.Groups[1].Value, CultureInfo.InvariantCulture)));
                tags = null;
            }
        }
        Assert.True(points.Count > 0, $"no exported metrics of {(pong ? "pong" : "ping")} in:\n{stdout}");
        return new ExportedPoints(points);
    }

    /// <summary>
    /// Exported points; a process exports periodically and once more at its end, so the last point of a metric and
    /// tag set is its total.
    /// </summary>
    private sealed class ExportedPoints(List<(string Metric, string Tags, long Value)> points)
    {
        /// <summary>The last value of <paramref name="metric"/> for the system over shm, with <paramref name="more"/> tags.</summary>
        public long Value(string metric, string system, string more = "")
        {
            string tags = $"akka.system: {system} ipc.channel: shm{(more.Length > 0 ? " " + more : "")}";
            var matches = points.Where(p => p.Metric == metric && p.Tags == tags).ToList();
            Assert.True(matches.Count > 0, $"{metric} [{tags}] was not exported; exported: " +
                string.Join("; ", points.Select(p => $"{p.Metric} [{p.Tags}] = {p.Value}")));
            return matches[^1].Value;
        }

        /// <summary>The last values of <paramref name="metric"/> for the system, summed over its other tags.</summary>
        public long Sum(string metric, string system) => points
            .Where(p => p.Metric == metric && p.Tags.StartsWith($"akka.system: {system} ", StringComparison.Ordinal))
            .GroupBy(p => p.Tags).Sum(g => g.Last().Value);
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunPingPongAsync(params string[] args)
    {
        var start = new ProcessStartInfo(DotnetHost.Path)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        start.ArgumentList.Add(ExampleLocator.Assembly("PingPong"));
        foreach (var arg in args.Concat(new[] { "--directory", _directory.Path }))
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(RunTimeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"PingPong --otel did not finish within {RunTimeout}: {await stdout}\n{await stderr}");
        }
        output.WriteLine(await stdout);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static string Inv(int value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^Metric Name: ([a-z.]+),")]
    private static partial Regex MetricLine();

    [GeneratedRegex(@"^\([^\]]+\] (.*)$")]
    private static partial Regex PointLine();

    [GeneratedRegex(@"^Value: (-?\d+)$")]
    private static partial Regex ValueLine();

    public void Dispose() => _directory.Dispose();
}
