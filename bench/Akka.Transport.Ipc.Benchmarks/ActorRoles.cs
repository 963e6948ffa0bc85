using System.Diagnostics;
using Akka.Actor;

namespace Akka.Transport.Ipc.Benchmarks;

/// <summary>
/// The two actor processes of the e2e, latency and idle parts. Process B ("echo") hosts one echo actor per
/// client; process A ("client") resolves them and runs the task it was started for.
/// </summary>
internal static class ActorRoles
{
    public const string EchoSystem = "Echo";
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Process B: echo actors echo0..echoN-1, until the parent says stop.</summary>
    public static async Task<int> RunEchoAsync(ChildArgs args)
    {
        var system = ActorSystem.Create(EchoSystem, Hocon.For(args.Get("mode"), args.Get("dir", ""), args.GetInt("scheduler-tick-ms", 0)));
        int echoes = args.GetInt("echoes", 1);
        for (int i = 0; i < echoes; i++)
            system.ActorOf(Props.Create(() => new EchoActor()), "echo" + i);
        if (args.GetInt("record-samples", 0) is > 0 and int recorded)
            ServeProbes(recorded);
        Parent.Send("ready", new { address = ((ExtendedActorSystem)system).Provider.DefaultAddress.ToString(), pid = Environment.ProcessId });
        await Parent.StopRequested;
        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(20));
        return 0;
    }

    /// <summary>
    /// Latency part: the echo actor records each sample's arrival and a probe reading (<see cref="EchoProbes"/>), and
    /// the parent collects them with the command "report-probes" once the client has sent its samples.
    /// </summary>
    private static void ServeProbes(int samples)
    {
        var probes = EchoProbes.Current = new EchoProbes(samples);
        _ = Task.Run(async () =>
        {
            await foreach (string command in Parent.CommandReader.ReadAllAsync())
                if (command == "report-probes")
                    Parent.Send("echo-probes", probes.TakeReport());
        });
    }

    /// <summary>Process A: e2e rounds, latency samples, or an idle association.</summary>
    public static async Task<int> RunClientAsync(ChildArgs args)
    {
        string task = args.Get("task");
        var system = ActorSystem.Create("Client", Hocon.For(args.Get("mode"), args.Get("dir", ""), args.GetInt("scheduler-tick-ms", 0)));
        try
        {
            string echoAddress = args.Get("address");
            int echoCount = args.GetInt("echoes", 1);
            var echoes = new IActorRef[echoCount];
            for (int i = 0; i < echoCount; i++)
                echoes[i] = await system.ActorSelection($"{echoAddress}/user/echo{i}").ResolveOne(ResolveTimeout);
            Parent.Send("connected", new { address = ((ExtendedActorSystem)system).Provider.DefaultAddress.ToString(), pid = Environment.ProcessId });

            switch (task)
            {
                case "e2e":
                    await RunE2EAsync(system, echoes, args);
                    break;
                case "latency":
                    await RunLatencyAsync(echoes[0], args);
                    break;
                case "idle":
                    // Exercise the association both ways, then do nothing until told to stop.
                    for (int i = 0; i < 200; i++)
                        await echoes[0].Ask<byte[]>(new byte[64], TimeSpan.FromSeconds(10));
                    Parent.Send("idle-ready");
                    await Parent.StopRequested;
                    break;
                default:
                    throw new ArgumentException($"Unknown client task {task}");
            }
            Parent.Send("done");
        }
        finally
        {
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(20));
        }
        return 0;
    }

    private static async Task RunE2EAsync(ActorSystem system, IActorRef[] echoes, ChildArgs args)
    {
        int perClient = args.GetInt("round-trips");
        int inFlight = args.GetInt("in-flight", 50);
        int warmup = args.GetInt("warmup-round-trips");
        var clientCounts = args.Get("clients").Split(',').Select(int.Parse).ToArray();
        var timeout = TimeSpan.FromSeconds(args.GetInt("round-timeout-s", 120));

        var warmed = await JitWarmup.RunAsync(() => RunRoundAsync(system, echoes, Math.Min(echoes.Length, 5), warmup, inFlight, timeout));
        Parent.Send("warmed", new { ms = warmed.TotalMilliseconds });
        int[] pids = { Environment.ProcessId, args.GetInt("echo-pid") };
        foreach (int clients in clientCounts)
        {
            var cpuBefore = CpuClock.Read(pids);
            var elapsed = await RunRoundAsync(system, echoes, clients, perClient, inFlight, timeout);
            var cpu = CpuClock.Read(pids) - cpuBefore;
            long roundTrips = (long)clients * perClient;
            long messages = 2 * roundTrips;
            Parent.Send("e2e", new
            {
                clients,
                roundTrips,
                messages,
                elapsedMs = elapsed.TotalMilliseconds,
                msgsPerSec = messages / elapsed.TotalSeconds,
                cpuUsPerMsg = cpu.TotalNs / 1e3 / messages,
                transportThreadsUsPerMsg = cpu.TransportNs / 1e3 / messages,
                coresBusy = cpu.TotalNs / 1e9 / elapsed.TotalSeconds,
            });
        }
    }

    /// <summary>One RemotePingPong round: each client keeps <paramref name="inFlight"/> messages in flight to its echo.</summary>
    private static async Task<TimeSpan> RunRoundAsync(ActorSystem system, IActorRef[] echoes, int clients, int perClient,
        int inFlight, TimeSpan timeout)
    {
        var completions = new Task[clients];
        var actors = new IActorRef[clients];
        for (int i = 0; i < clients; i++)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            completions[i] = done.Task;
            var echo = echoes[i];
            // Not Props.Create(() => ...): that compiles an expression per actor, so the JIT would never fall quiet.
            actors[i] = system.ActorOf(Props.Create<PingClient>(echo, perClient, inFlight, done));
        }
        var watch = Stopwatch.StartNew();
        foreach (var actor in actors)
            actor.Tell(PingClient.Start.Instance);
        try
        {
            await Task.WhenAll(completions).WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{clients} clients x {perClient} round trips did not finish within {timeout.TotalSeconds:F0} s " +
                $"(finished clients: {completions.Count(c => c.IsCompleted)})");
        }
        watch.Stop();
        foreach (var actor in actors)
            system.Stop(actor);
        return watch.Elapsed;
    }

    /// <summary>
    /// Ask round trips, one in flight. Each sample's payload carries its number (the echo process records its arrival);
    /// between two, outside the timed spans, a <see cref="LatencyProbe"/> reading says what this process did
    /// meanwhile (GCs, receiver sleeps, doorbell posts, the host's CPU pressure, thread pool).
    /// </summary>
    private static async Task RunLatencyAsync(IActorRef echo, ChildArgs args)
    {
        int warmup = args.GetInt("warmup");
        int samples = args.GetInt("samples");
        var payload = new byte[64];
        var timeout = TimeSpan.FromSeconds(10);
        LatencyProbe.MarkSample(payload, -1);
        var warmed = await JitWarmup.RunAsync(async () =>
        {
            for (int i = 0; i < warmup; i++)
                await echo.Ask<byte[]>(payload, timeout);
        });
        Parent.Send("warmed", new { ms = warmed.TotalMilliseconds });
        using var probe = new LatencyProbe(withMeter: true);
        var micros = new double[samples];
        var starts = new long[samples];
        // One reading between two samples serves as the first's "after" and the next's "before": half the reads
        // (each costs ~10 us: the meter's collection and a pread of /proc/pressure/cpu), and none inside a timed span.
        var readings = new ProbeReading[samples + 1];
        readings[0] = probe.Read(meter: true);
        var total = Stopwatch.StartNew();
        for (int i = 0; i < samples; i++)
        {
            LatencyProbe.MarkSample(payload, i);
            long start = Stopwatch.GetTimestamp();
            await echo.Ask<byte[]>(payload, timeout);
            long end = Stopwatch.GetTimestamp();
            readings[i + 1] = probe.Read(meter: true);
            starts[i] = start;
            micros[i] = Math.Round((end - start) * 1e6 / Stopwatch.Frequency, 1);
        }
        total.Stop();
        long[] Delta(Func<ProbeReading, long> f) => Enumerable.Range(0, samples).Select(i => f(readings[i + 1]) - f(readings[i])).ToArray();
        Parent.Send("latency", new
        {
            samples = micros,
            elapsedMs = total.Elapsed.TotalMilliseconds,
            frequency = Stopwatch.Frequency,
            pressure = probe.HasPressure,
            starts,
            gcs = Delta(r => r.Gcs),
            gcPauseTicks = Delta(r => r.GcPauseTicks),
            sleeps = Delta(r => r.Sleeps),
            posts = Delta(r => r.Posts),
            hostCpuWaitUs = Delta(r => r.HostCpuWaitUs),
            poolThreads = Delta(r => r.PoolThreads),
        });
    }

    internal sealed class EchoActor : UntypedActor
    {
        protected override void OnReceive(object message)
        {
            long arrived = Stopwatch.GetTimestamp();
            Sender.Tell(message);
            if (EchoProbes.Current is { } probes && message is byte[] request)
                probes.Record(request, arrived);
        }
    }

    /// <summary>
    /// RemotePingPong's client: primes <c>inFlight</c> messages, sends one more per reply until it has sent
    /// <c>total</c>, and completes when all <c>total</c> replies are back (so nothing is left in flight).
    /// </summary>
    private sealed class PingClient : UntypedActor
    {
        public sealed class Start
        {
            public static readonly Start Instance = new();
        }

        private const string Hit = "hit";
        private readonly IActorRef _echo;
        private readonly int _total;
        private readonly int _inFlight;
        private readonly TaskCompletionSource _done;
        private int _sent;
        private int _received;

        public PingClient(IActorRef echo, int total, int inFlight, TaskCompletionSource done)
        {
            _echo = echo;
            _total = total;
            _inFlight = inFlight;
            _done = done;
        }

        protected override void OnReceive(object message)
        {
            if (message is Start)
            {
                for (; _sent < Math.Min(_inFlight, _total); _sent++)
                    _echo.Tell(Hit, Self);
                return;
            }
            if (++_received >= _total)
            {
                _done.TrySetResult();
                return;
            }
            if (_sent < _total)
            {
                _sent++;
                _echo.Tell(message, Self);
            }
        }
    }
}
