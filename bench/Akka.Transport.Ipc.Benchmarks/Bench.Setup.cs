namespace Akka.Transport.Ipc.Benchmarks;

/// <summary>
/// The setup part: how long a FRESH peer takes to get going, per mode, against dot-netty in the same run. Akka
/// level: a new ActorSystem's ResolveOne to the first Ask reply; transport level: Associate (the SPI) to the first
/// frame delivered to the other side's listener. See <see cref="SetupRoles"/> for the processes and the clocks.
/// </summary>
internal sealed partial class Bench
{
    public const string SetupAkka = "akka";
    public const string SetupTransport = "transport";

    /// <summary>The modes of the setup part: both IPC channels, the hybrid shortcut and plain dot-netty (the baseline).</summary>
    private static readonly string[] SetupModes = { ActorModes.IpcShm, ActorModes.IpcFifo, ActorModes.HybridLocal, ActorModes.Tcp };

    /// <summary>
    /// Samples per mode and level taken and dropped before timing: the first runs each path's code cold (JIT), which
    /// would measure the runtime, not the connection.
    /// </summary>
    private int SetupWarmupSamples => options.Quick ? 1 : 3;

    /// <summary>One mode's two processes; the client is started once the server has said where it listens.</summary>
    private sealed class SetupPair(string mode, Child server, string dir, string rawDir)
    {
        public string Mode { get; } = mode;
        public Child Server { get; } = server;
        public Child? Client { get; set; }
        public string Dir { get; } = dir;
        public string RawDir { get; } = rawDir;
    }

    private async Task RunSetupAsync()
    {
        Console.WriteLine($"Fresh peers per sample: per mode a long-lived server process (an ActorSystem with an echo actor, and a raw " +
            $"transport) and a client process that creates a new ActorSystem (akka) or a new transport (raw SPI) for each sample and " +
            $"closes it afterwards. akka: ResolveOne to the first Ask reply, timed by the client; transport: Associate to the first " +
            $"frame's delivery at the server's listener (Stopwatch timestamps, CLOCK_MONOTONIC, compared across the two processes). " +
            $"{options.SetupSamples} samples per mode and level after {SetupWarmupSamples} dropped warm-up sample(s), modes alternated within each sample");
        var pairs = new List<SetupPair>();
        try
        {
            // Every process is registered as soon as it is started, so the finally below stops all of them.
            foreach (string mode in SetupModes)
            {
                string dir = ActorModes.UsesIpcDirectory(mode) ? directories.Create($"setup-{mode}") : "";
                string rawDir = ActorModes.UsesIpcDirectory(mode) ? directories.Create($"setup-raw-{mode}") : "";
                pairs.Add(new SetupPair(mode, Child.Start($"setup-{mode}-server", "--role", "setup-server", "--mode", mode,
                    "--dir", dir, "--raw-dir", rawDir), dir, rawDir));
            }
            foreach (var pair in pairs)
            {
                var ready = await pair.Server.ReceiveAsync("ready", StartTimeout);
                pair.Client = Child.Start($"setup-{pair.Mode}-client", "--role", "setup-client", "--mode", pair.Mode, "--dir", pair.Dir,
                    "--raw-dir", pair.RawDir, "--address", ready.GetProperty("address").GetString()!,
                    "--raw-address", ready.GetProperty("rawAddress").GetString()!);
            }
            var clients = pairs.Select(p => p.Client!).ToArray();
            foreach (var client in clients)
                await client.ReceiveAsync("ready", StartTimeout);
            await Child.Guard(SampleSetupAsync(pairs), pairs.Select(p => p.Server).Concat(clients).ToArray());
            foreach (var pair in pairs)
            {
                await pair.Client!.StopAsync(StopTimeout);
                await pair.Server.StopAsync(StopTimeout);
                ObserveSetupProblems(pair.Client);
                ObserveSetupProblems(pair.Server);
            }
        }
        finally
        {
            foreach (var pair in pairs)
            {
                if (pair.Client != null)
                    await pair.Client.DisposeAsync();
                await pair.Server.DisposeAsync();
            }
        }
        foreach (var pair in pairs.Where(p => p.Dir.Length > 0))
        {
            CheckLeftovers($"setup-{pair.Mode}", pair.Dir);
            CheckLeftovers($"setup-raw-{pair.Mode}", pair.RawDir);
        }
        PrintSetup();
    }

    /// <summary>
    /// Reports what a setup process logged, except what every sample causes on purpose: each fresh client system that
    /// terminates ends its association, and the server's Akka.Remote logs that with a WARNING (address gated) and an
    /// ERROR ("Disassociated") naming the client system.
    /// </summary>
    private void ObserveSetupProblems(Child child)
    {
        var unexpected = child.Problems.Where(line => !(line.Contains(SetupRoles.ClientSystem, StringComparison.Ordinal)
            && (line.Contains("address is now gated", StringComparison.Ordinal) || line.EndsWith("] Disassociated", StringComparison.Ordinal)))).ToList();
        if (unexpected.Count > 0)
            report.Observe($"{child.Name} logged {unexpected.Count} unexpected ERROR/WARNING entries, e.g. " +
                string.Join(" | ", unexpected.Take(3).Select(l => l.Length > 300 ? l[..300] + "..." : l)));
    }

    /// <summary>Sample i: an akka sample of every mode, then a raw one of every mode, in an order rotated per sample.</summary>
    private async Task SampleSetupAsync(List<SetupPair> pairs)
    {
        var timeout = TimeSpan.FromSeconds(60);
        for (int i = -SetupWarmupSamples; i < options.SetupSamples; i++)
        {
            var order = Enumerable.Range(0, pairs.Count).Select(k => pairs[(k + i + pairs.Count) % pairs.Count]).ToArray();
            foreach (var pair in order)
            {
                var client = pair.Client!;
                client.Send("akka");
                var m = await client.ReceiveAsync("akka", timeout);
                if (i >= 0)
                    report.Setup.Add(new SetupRow(pair.Mode, SetupAkka, i, m.GetProperty("us").GetDouble(), m.GetProperty("resolveUs").GetDouble()));
            }
            foreach (var pair in order)
            {
                var client = pair.Client!;
                client.Send("raw");
                var sent = await client.ReceiveAsync("raw", timeout);
                var delivered = await pair.Server.ReceiveAsync("delivered", timeout);
                if (i >= 0)
                    report.Setup.Add(new SetupRow(pair.Mode, SetupTransport, i, delivered.GetProperty("us").GetDouble(),
                        sent.GetProperty("associateUs").GetDouble()));
            }
            if (i >= 0)
                Console.WriteLine($"  sample {i + 1,2}: " + string.Join("  ", SetupModes.Select(mode =>
                    $"{mode} {Table.N0(report.Setup.Last(r => r.Mode == mode && r.Level == SetupAkka).Us)}/" +
                    $"{Table.N0(report.Setup.Last(r => r.Mode == mode && r.Level == SetupTransport).Us)}")) + " us (akka/transport)");
        }
    }

    public void PrintSetup()
    {
        if (report.Setup.Count == 0)
            return;
        var rows = new List<string[]>();
        foreach (string level in new[] { SetupAkka, SetupTransport })
        {
            double TcpMedian(Func<SetupRow, double> f) =>
                Stats.Median(report.Setup.Where(r => r.Mode == ActorModes.Tcp && r.Level == level).Select(f));
            foreach (string mode in SetupModes)
            {
                var samples = report.Setup.Where(r => r.Mode == mode && r.Level == level).ToList();
                if (samples.Count == 0)
                    continue;
                var sorted = samples.Select(r => r.Us).Order().ToArray();
                double median = Stats.Median(sorted), part = Stats.Median(samples.Select(r => r.PartUs));
                rows.Add(new[]
                {
                    level == SetupAkka ? "akka: ResolveOne -> first reply" : "transport: Associate -> first frame delivered",
                    mode, Table.N0(sorted.Length), Table.N0(median), Table.N0(Stats.Percentile(sorted, 0.90)), Table.N0(sorted[^1]),
                    Table.N0(part), Stats.Ratio(median, TcpMedian(r => r.Us)),
                });
            }
        }
        Table.Print("Connection set-up on fresh peers (us; each sample a new ActorSystem / a new transport on the client side; " +
            "'part' = median of ResolveOne alone (akka) or of Associate's task alone (transport); ratio = median / tcp's median, same run)",
            new[] { "measure", "mode", "samples", "median", "p90", "max", "part (median)", "median vs tcp" }, rows);
    }
}
