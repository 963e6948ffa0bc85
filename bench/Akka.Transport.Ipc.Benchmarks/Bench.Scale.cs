using System.Globalization;

namespace Akka.Transport.Ipc.Benchmarks;

/// <summary>
/// The scale part: P processes (real ActorSystems), in a full mesh where every process streams to every other, or
/// as a hub that receives from all others; per P and mode the aggregate msgs/s, CPU per message of all processes and
/// of the transport's own threads, the /dev/shm bytes the associations hold, and the idle CPU of a connected process.
/// </summary>
internal sealed partial class Bench
{
    public const string Mesh = "mesh";
    public const string Hub = "hub";

    /// <summary>Modes of the scale part: the shared-memory transport against dot-netty.</summary>
    private static readonly string[] ScaleModes = { ActorModes.IpcShm, ActorModes.Tcp };

    /// <summary>
    /// Thread names (prefixes of /proc/&lt;pid&gt;/task/*/comm) of each mode's transport: ours are named
    /// <c>ipc-rings-&lt;port&gt;</c> and <c>ipc-poll-&lt;port&gt;</c>; dot-netty's are its event loops
    /// (<c>SingleThreadEventExecutor</c>, cut by Linux at 15 characters) and .NET's socket engine (<c>.NET Sockets</c>).
    /// </summary>
    private static string[] TransportThreads(string mode) => mode == ActorModes.Tcp ? ["SingleThreadEve", ".NET Sockets"] : ["ipc-"];

    private TimeSpan ScaleWarmup => TimeSpan.FromSeconds(options.Quick ? 0.5 : 3);
    private TimeSpan ScaleWindow => TimeSpan.FromSeconds(options.Quick ? 1 : 5);
    private TimeSpan ScaleIdleSettle => TimeSpan.FromSeconds(options.Quick ? 0.5 : 3);
    private TimeSpan ScaleIdle => TimeSpan.FromSeconds(options.Quick ? 1 : 5);

    /// <summary>The runs: every P in mesh and hub, for each mode; --quick: the mesh only (it keeps the whole run near a minute).</summary>
    private IEnumerable<(string Variant, int Processes)> ScaleRuns()
    {
        foreach (int p in options.ScaleProcesses)
        {
            yield return (Mesh, p);
            if (!options.Quick)
                yield return (Hub, p);
        }
    }

    private async Task RunScaleAsync()
    {
        Console.WriteLine($"P processes, each an ActorSystem with a sink actor; mesh: every process streams numbered 64 B byte[] to every " +
            $"other (at most 1000 unacknowledged per stream, an ack per 100), hub: every other streams to process 0. Associations are set " +
            $"up one process at a time (one per pair, as Akka's passive connections reuse them). {ScaleWarmup.TotalSeconds:F1} s of streaming before a " +
            $"{ScaleWindow.TotalSeconds:F0} s window; then, all still connected and nobody sending, idle CPU over {ScaleIdle.TotalSeconds:F0} s " +
            $"after {ScaleIdleSettle.TotalSeconds:F1} s of settling");
        foreach (var (variant, processes) in ScaleRuns())
        {
            foreach (string mode in ScaleModes)
            {
                var row = await RunScaleOnceAsync(mode, variant, processes);
                report.Scale.Add(row);
                Console.WriteLine($"  {mode,-7} {variant,-4} P={processes,-2}: {Table.N0(row.MsgsPerSec)} msgs/s, {Table.F2(row.CpuUsPerMsg)} us/msg " +
                    $"(transport {Table.F2(row.TransportUsPerMsg)}), {row.Associations} associations, /dev/shm {Table.N0(row.ShmBytes)} B" +
                    (variant == Mesh ? $", idle {Table.F2(row.IdleCpuPercent)} % per process (max {Table.F2(row.IdleCpuPercentMax)})" : ""));
            }
        }
        // Where the receiver's CPU per message goes as P grows: the mesh again at the smallest and the largest P with
        // receiver-profile on (its clock reads cost a little, so the runs above stay unprofiled).
        if (!options.Quick && options.ScaleProcesses.Count > 1)
        {
            foreach (int processes in new[] { options.ScaleProcesses[0], options.ScaleProcesses[^1] })
            {
                var row = await RunScaleOnceAsync(ActorModes.IpcShmProfiled, Mesh, processes);
                report.Scale.Add(row);
                Console.WriteLine($"  {ActorModes.IpcShmProfiled} {Mesh} P={processes,-2}: {Table.N0(row.MsgsPerSec)} msgs/s, transport " +
                    $"{Table.F2(row.TransportUsPerMsg)} us/msg; receiver us/msg " +
                    string.Join(", ", ScaleRoles.ProfilePhases.Select((phase, i) => $"{phase} {Table.F2(row.Receiver!.UsPerMsg[i])}")) +
                    $" (hand-off to Akka {Table.F2(row.Receiver!.HandOffUsPerMsg)})");
            }
        }
        PrintScale();
        PrintReceiverBreakdown();
    }

    private async Task<ScaleRow> RunScaleOnceAsync(string mode, string variant, int processes)
    {
        string name = $"scale-{mode}-{variant}-p{processes}";
        string dir = directories.Create(name);
        var children = new List<Child>();
        try
        {
            for (int i = 0; i < processes; i++)
                children.Add(Child.Start($"{name}-{i}", "--role", "mesh", "--mode", mode, "--dir", mode == ActorModes.Tcp ? "" : dir));
            var ready = await Task.WhenAll(children.Select(c => c.ReceiveAsync("ready", StartTimeout)));
            var addresses = ready.Select(r => r.GetProperty("address").GetString()!).ToArray();
            var pids = children.Select(c => c.Pid).ToArray();
            var allExit = children.ToArray();

            // One association per pair: process k connects to those before it; later sends reuse it both ways.
            for (int k = 1; k < processes; k++)
            {
                var peers = variant == Mesh ? addresses.Take(k) : addresses.Take(1);
                children[k].Send("connect " + string.Join(' ', peers));
                await Child.Guard(children[k].ReceiveAsync("connected", StartTimeout), allExit);
            }
            for (int i = 0; i < processes; i++)
            {
                var targets = variant == Mesh ? addresses.Where((_, j) => j != i) : i == 0 ? [] : addresses.Take(1);
                children[i].Send("targets " + string.Join(' ', targets));
            }
            await Child.Guard(Task.WhenAll(children.Select(c => c.ReceiveAsync("targets-ready", StartTimeout))), allExit);
            var (shmBytes, segments) = mode == ActorModes.Tcp ? (0L, 0) : ShmUsage.Of(pids, dir);
            int associations = mode == ActorModes.Tcp ? TcpConnections.Of(pids).Count / 2 : segments;

            string[] transport = TransportThreads(mode);
            foreach (var child in children)
                child.Send("stream");
            await Child.Guard(Task.WhenAll(children.Select(c => c.ReceiveAsync("streaming", StartTimeout))), allExit);
            await Task.Delay(ScaleWarmup);
            var streamBefore = ThreadCpu.ThreadsByName(pids[^1]);
            var (cpu0, count0, t0, sleeps0, profile0) = await ScaleSampleAsync(children, pids, transport);
            await Task.Delay(ScaleWindow);
            var (cpu1, count1, t1, sleeps1, profile1) = await ScaleSampleAsync(children, pids, transport);
            await File.AppendAllTextAsync(Path.Combine(resultsDirectory, "logs", "scale-threads.txt"),
                $"{name} streaming {ScaleWindow.TotalSeconds:F0} s, process {processes - 1} (pid {pids[^1]}): " +
                $"{ThreadCpu.DescribeDelta(streamBefore, ThreadCpu.ThreadsByName(pids[^1]))}\n");

            foreach (var child in children)
                child.Send("halt");
            var halted = await Task.WhenAll(children.Select(c => c.ReceiveAsync("halted", TimeSpan.FromSeconds(120))));
            long sent = halted.Sum(h => h.GetProperty("sent").GetInt64());
            // Every stream's last frame is acknowledged now, so every sink has everything.
            foreach (var child in children)
                child.Send("count");
            var final = await Task.WhenAll(children.Select(c => c.ReceiveAsync("count", StartTimeout)));
            long received = final.Sum(h => h.GetProperty("received").GetInt64());
            long outOfOrder = final.Sum(h => h.GetProperty("outOfOrder").GetInt64());
            // Problems logged while streaming; stopping P systems one by one makes Akka log every ended association.
            foreach (var child in children)
                ObserveProblems(child);
            if (sent != received || outOfOrder != 0)
                report.Observe($"{name}: {sent:N0} frames sent, {received:N0} received, {outOfOrder:N0} out of order");

            // Idle: everyone still connected, nobody sending, after the streaming (so the JIT is done with start-up).
            double idleMean = double.NaN, idleMax = double.NaN, idleTransport = double.NaN, idleNoJit = double.NaN;
            if (variant == Mesh)
            {
                await Task.Delay(ScaleIdleSettle);
                var before = pids.Select(p => ThreadCpu.Read([p], transport)).ToArray();
                var threadsBefore = ThreadCpu.ThreadsByName(pids[^1]);
                long start = System.Diagnostics.Stopwatch.GetTimestamp();
                await Task.Delay(ScaleIdle);
                double seconds = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds;
                var used = pids.Select((p, i) => ThreadCpu.Read([p], transport) - before[i]).ToArray();
                await File.AppendAllTextAsync(Path.Combine(resultsDirectory, "logs", "scale-threads.txt"),
                    $"{name} idle {seconds:F1} s, process {processes - 1} (pid {pids[^1]}): " +
                    $"{ThreadCpu.DescribeDelta(threadsBefore, ThreadCpu.ThreadsByName(pids[^1]))}\n");
                idleMean = used.Average(u => u.TotalNs) / 1e7 / seconds;
                idleMax = used.Max(u => u.TotalNs) / 1e7 / seconds;
                idleTransport = used.Average(u => u.TransportNs) / 1e7 / seconds;
                idleNoJit = used.Average(u => u.TotalNs - u.JitNs) / 1e7 / seconds;
            }

            var cpu = cpu1 - cpu0;
            long messages = count1 - count0;
            double window = t1 - t0;
            await Task.WhenAll(children.Select(c => c.StopAsync(StopTimeout)));
            return new ScaleRow(mode, variant, processes, associations,
                variant == Mesh ? processes * (processes - 1) : processes - 1, messages / window,
                cpu.TotalNs / 1e3 / messages, cpu.TransportNs / 1e3 / messages, cpu.TotalNs / 1e9 / window,
                shmBytes, idleMean, idleMax, idleTransport, sent - received, outOfOrder, (sleeps1 - sleeps0) * 1000.0 / messages, idleNoJit,
                mode == ActorModes.IpcShmProfiled
                    ? new ReceiverBreakdown(profile1.Us.Zip(profile0.Us, (a, b) => (a - b) / messages).ToArray(),
                        profile1.Rounds.Zip(profile0.Rounds, (a, b) => (a - b) * 1000 / messages).ToArray(),
                        (profile1.HandOffUs - profile0.HandOffUs) / messages)
                    : null);
        }
        finally
        {
            foreach (var child in children)
                await child.DisposeAsync();
            if (mode != ActorModes.Tcp)
                CheckLeftovers(name, dir);
            else
                IpcDirectories.Remove(dir);
        }
    }

    /// <summary>
    /// CPU of all processes, frames received by all, the time in seconds halfway through the counting, and the shm
    /// receivers' sleeps plus doorbell posts of all (each a system call and a wake-up), and the receivers' profiles
    /// summed (CPU µs and rounds per phase; zeros unless receiver-profile is on).
    /// </summary>
    private static async Task<(ThreadCpu Cpu, long Received, double Seconds, long Wakeups, (double[] Us, double[] Rounds, double HandOffUs) Profile)> ScaleSampleAsync(
        List<Child> children, int[] pids, string[] transport)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        var cpu = ThreadCpu.Read(pids, transport);
        foreach (var child in children)
            child.Send("count");
        var counts = await Task.WhenAll(children.Select(c => c.ReceiveAsync("count", StartTimeout)));
        long end = System.Diagnostics.Stopwatch.GetTimestamp();
        double seconds = (start + end) / 2.0 / System.Diagnostics.Stopwatch.Frequency;
        double[] Sum(string property) => ScaleRoles.ProfilePhases
            .Select((_, i) => counts.Sum(c => c.GetProperty(property)[i].GetDouble())).ToArray();
        return (cpu, counts.Sum(c => c.GetProperty("received").GetInt64()), seconds,
            counts.Sum(c => c.GetProperty("sleeps").GetInt64() + c.GetProperty("posts").GetInt64()), (Sum("profileUs"), Sum("profileRounds"), counts.Sum(c => c.GetProperty("handOffUs").GetDouble())));
    }

    /// <summary>The profiled mesh runs: the shm receiver threads' CPU per message by phase, and what a round costs.</summary>
    private void PrintReceiverBreakdown()
    {
        var rows = report.Scale.Where(r => r.Receiver != null).OrderBy(r => r.Processes).ToList();
        if (rows.Count == 0)
            return;
        var phases = ScaleRoles.ProfilePhases;
        Table.Print("Where the shm receiver threads' CPU goes (mesh, receiver-profile = on; all processes over the window). us/msg = CPU of " +
            "the rounds of that phase per frame delivered: deliver = rounds that read frames and handed them to Akka (the copy Akka needs and " +
            "its Notify included; hand-off = that part: the ByteString copy and Akka's Notify, timed for one frame in 64; ours = deliver less hand-off: " +
            "polling the rings, reading and checking frames), gc = rounds during which a garbage collection ran, spin/yield/sleep = idle rounds between bursts; " +
            "rounds/1k msgs; us/round = CPU of one such round (a yield or a sleep is a context switch on a crowded machine)",
            new[] { "P", "msgs/s", "transport us/msg", "profiled sum us/msg" }
                .Concat(phases.Select(p => p + " us/msg")).Concat(["deliver: hand-off us/msg", "deliver: ours us/msg"]).Concat(phases.Select(p => p + " rounds/1k")).Concat(["yield us/round", "sleep us/round"]).ToArray(),
            rows.Select(r =>
            {
                var b = r.Receiver!;
                double PerRound(string phase)
                {
                    int i = Array.IndexOf(phases, phase);
                    return b.RoundsPer1000[i] > 0 ? b.UsPerMsg[i] * 1000 / b.RoundsPer1000[i] : double.NaN;
                }
                return new[] { r.Processes.ToString(CultureInfo.InvariantCulture), Table.N0(r.MsgsPerSec), Table.F2(r.TransportUsPerMsg), Table.F2(b.UsPerMsg.Sum()) }
                    .Concat(b.UsPerMsg.Select(Table.F2)).Concat([Table.F2(b.HandOffUsPerMsg), Table.F2(b.UsPerMsg[0] - b.HandOffUsPerMsg)])
                    .Concat(b.RoundsPer1000.Select(Table.F1))
                    .Concat([Table.F1(PerRound("yield")), Table.F1(PerRound("sleep"))]).ToArray();
            }));
    }

    public void PrintScale()
    {
        if (report.Scale.Count == 0)
            return;
        ScaleRow? Find(string mode, string variant, int p) =>
            report.Scale.FirstOrDefault(r => r.Mode == mode && r.Variant == variant && r.Processes == p);
        var keys = report.Scale.Select(r => (r.Variant, r.Processes)).Distinct().OrderBy(k => k.Variant == Mesh ? 0 : 1).ThenBy(k => k.Processes);
        Table.Print("Scale: P processes streaming 64 B byte[] through Akka remoting (mesh: every process to every other; hub: all others to one). " +
            "msgs/s = frames delivered to the sinks per second, all processes; CPU us/msg = all processes' CPU / frames; transport = " +
            "the transport's own threads (ipc-*; dot-netty's event loops and .NET's socket thread); sleeps+posts = the shm receivers' blocks on their doorbell and the doorbell posts, per 1000 frames; /dev/shm = the segments the associations map; idle = CPU % of one core per process, connected, nobody sending (w/o JIT: without the runtime's tiered-compilation thread, which on a crowded machine still recompiles long after start-up)",
            new[] { "variant", "P", "assoc.", "shm msgs/s", "tcp msgs/s", "shm/tcp", "shm us/msg", "tcp us/msg", "shm transport us/msg",
                "tcp transport us/msg", "shm transport share", "shm sleeps+posts /1k msgs", "shm /dev/shm B", "shm idle %", "tcp idle %", "shm idle w/o JIT %", "tcp idle w/o JIT %", "shm idle transport %" },
            keys.Select(k =>
            {
                var shm = Find(ActorModes.IpcShm, k.Variant, k.Processes);
                var tcp = Find(ActorModes.Tcp, k.Variant, k.Processes);
                double V(ScaleRow? r, Func<ScaleRow, double> f) => r == null ? double.NaN : f(r);
                return new[]
                {
                    k.Variant, k.Processes.ToString(CultureInfo.InvariantCulture), shm?.Associations.ToString(CultureInfo.InvariantCulture) ?? "-",
                    Table.N0(V(shm, r => r.MsgsPerSec)), Table.N0(V(tcp, r => r.MsgsPerSec)), Stats.Ratio(V(shm, r => r.MsgsPerSec), V(tcp, r => r.MsgsPerSec)),
                    Table.F2(V(shm, r => r.CpuUsPerMsg)), Table.F2(V(tcp, r => r.CpuUsPerMsg)),
                    Table.F2(V(shm, r => r.TransportUsPerMsg)), Table.F2(V(tcp, r => r.TransportUsPerMsg)),
                    Table.F1(V(shm, r => 100 * r.TransportUsPerMsg / r.CpuUsPerMsg)) + " %", Table.F1(V(shm, r => r.WakeupsPer1000)), Table.N0(V(shm, r => r.ShmBytes)),
                    Table.F2(V(shm, r => r.IdleCpuPercent)), Table.F2(V(tcp, r => r.IdleCpuPercent)),
                    Table.F2(V(shm, r => r.IdleNoJitCpuPercent)), Table.F2(V(tcp, r => r.IdleNoJitCpuPercent)), Table.F2(V(shm, r => r.IdleTransportCpuPercent)),
                };
            }));
        var targets = new List<string[]>();
        foreach (string variant in new[] { Mesh, Hub })
        {
            var rows = report.Scale.Where(r => r.Mode == ActorModes.IpcShm && r.Variant == variant).OrderBy(r => r.Processes).ToList();
            if (rows.Count < 2)
                continue;
            var (first, last) = (rows[0], rows[^1]);
            double ratio = last.TransportUsPerMsg / first.TransportUsPerMsg;
            targets.Add(new[] { variant, $"transport us/msg P={last.Processes} / P={first.Processes}", Stats.Ratio(last.TransportUsPerMsg, first.TransportUsPerMsg),
                "<= 1.50x", ratio <= 1.5 ? "met" : "missed" });
            if (variant == Mesh)
            {
                // Akka itself costs idle CPU per association (heartbeats, the failure detectors' timers): dot-netty's
                // ratio next to ours shows that part. The transport's own threads must stay flat.
                var tcp = report.Scale.Where(r => r.Mode == ActorModes.Tcp && r.Variant == variant).OrderBy(r => r.Processes).ToList();
                string tcpRatio = tcp.Count >= 2 ? $" (tcp: {Stats.Ratio(tcp[^1].IdleCpuPercent, tcp[0].IdleCpuPercent)})" : "";
                targets.Add(new[] { variant, $"idle CPU per process P={last.Processes} / P={first.Processes}",
                    Stats.Ratio(last.IdleCpuPercent, first.IdleCpuPercent) + tcpRatio, "flat in P", "(JIT included)" });
                double noJit = last.IdleNoJitCpuPercent / first.IdleNoJitCpuPercent;
                targets.Add(new[] { variant, $"idle CPU per process w/o JIT P={last.Processes} / P={first.Processes}",
                    Stats.Ratio(last.IdleNoJitCpuPercent, first.IdleNoJitCpuPercent), "flat (<= 1.50x)", noJit <= 1.5 ? "met" : "missed" });
                double transportIdle = last.IdleTransportCpuPercent - first.IdleTransportCpuPercent;
                targets.Add(new[] { variant, $"idle ipc-* threads per process P={last.Processes} - P={first.Processes}",
                    $"{Table.F2(last.IdleTransportCpuPercent)} - {Table.F2(first.IdleTransportCpuPercent)} %", "flat (<= +0.1 % of a core)",
                    transportIdle <= 0.1 ? "met" : "missed" });
            }
        }
        // The profiled mesh runs split the receiver's CPU: what is the transport's own (polling, reading, idling between
        // bursts) and what the SPI makes it do for Akka (the ByteString copy and Akka's Notify) or a GC on its thread.
        var profiled = report.Scale.Where(r => r.Receiver != null).OrderBy(r => r.Processes).ToList();
        if (profiled.Count >= 2)
        {
            static double Own(ReceiverBreakdown b) => b.UsPerMsg.Sum() - b.HandOffUsPerMsg - b.UsPerMsg[Array.IndexOf(ScaleRoles.ProfilePhases, "gc")];
            var (first, last) = (profiled[0].Receiver!, profiled[^1].Receiver!);
            double ratio = Own(last) / Own(first);
            targets.Add(new[] { Mesh, $"profiled receiver less hand-off to Akka and gc, us/msg P={profiled[^1].Processes} / P={profiled[0].Processes}",
                $"{Stats.Ratio(Own(last), Own(first))} ({Table.F2(Own(first))} -> {Table.F2(Own(last))})", "<= 1.50x", ratio <= 1.5 ? "met" : "missed" });
            targets.Add(new[] { Mesh, $"profiled hand-off to Akka + gc, us/msg P={profiled[^1].Processes} / P={profiled[0].Processes}",
                $"{Table.F2(first.UsPerMsg.Sum() - Own(first))} -> {Table.F2(last.UsPerMsg.Sum() - Own(last))}", "(Akka's SPI work on our thread)", "" });
        }
        if (targets.Count > 0)
            Table.Print("Scale targets (ipc-shm)", new[] { "variant", "measure", "value", "target", "" }, targets);
    }
}
