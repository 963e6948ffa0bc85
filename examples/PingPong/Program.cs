using System.Diagnostics;
using Akka.Actor;
using PingPong;
using Examples.Shared;

Options options;
try
{
    options = Options.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

return options.Role == "pong" ? await Pong.RunAsync(options) : await Ping.RunAsync(options);

/// <summary>The echo side: replies every message to its sender.</summary>
internal static class Pong
{
    public static async Task<int> RunAsync(Options options)
    {
        // Disposed last: its final export then holds the run's totals, the association's end included.
        using var telemetry = Telemetry.Start(options.Otel, "pong");
        using var system = ActorSystem.Create("Pong", Hocon.For(options.Mode, options.Port, options.Directory));
        system.ActorOf(Props.Create(() => new EchoActor()), "pong");
        // Run until Ctrl+C or SIGTERM, not until stdin ends: in the background, under nohup or as a service stdin is
        // /dev/null or closed. Only a pong started by ping also stops when ping (which holds its stdin) goes away.
        var stop = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        StopSignals.OnStop(reason => stop.TrySetResult(reason));
        if (options.ParentStdin)
            StopSignals.OnParentGone(reason => stop.TrySetResult(reason));
        Console.WriteLine("PONG " + ((ExtendedActorSystem)system).Provider.DefaultAddress);
        Console.WriteLine("pong: " + await stop.Task);
        await system.Terminate();
        return 0;
    }

    private sealed class EchoActor : ReceiveActor
    {
        public EchoActor() => ReceiveAny(message => Sender.Tell(message));
    }
}

/// <summary>The measuring side: one message in flight, so every round trip is a latency sample.</summary>
internal static class Ping
{
    public static async Task<int> RunAsync(Options options)
    {
        Process? pongProcess = null;
        try
        {
            int pongPort = options.Port;
            if (options.SpawnPong)
                (pongProcess, pongPort) = StartPong(options);
            // Ctrl+C or SIGTERM ends the run early but in order: the system terminates and the pong is stopped.
            using var stop = new CancellationTokenSource();
            StopSignals.OnStop(_ => stop.Cancel());
            using var telemetry = Telemetry.Start(options.Otel, "ping");
            using var system = ActorSystem.Create("Ping", Hocon.For(options.Mode, 0, options.Directory));
            string host = options.Mode == "tcp" ? "127.0.0.1" : "localhost";
            string protocol = options.Mode == "tcp" ? "akka.tcp" : "akka.ipc";
            var pong = await system.ActorSelection($"{protocol}://Pong@{host}:{pongPort}/user/pong")
                .ResolveOne(TimeSpan.FromSeconds(30));

            var payload = new byte[options.Size];
            var samples = new long[options.Messages];
            Console.WriteLine($"Ping-pong over {options.Mode}: {options.Messages} round trips of {options.Size} B with {pong.Path.Address}");
            var total = Stopwatch.StartNew();
            int nextReport = 0;
            for (int i = 0; i < options.Messages; i++)
            {
                if (stop.IsCancellationRequested)
                {
                    Console.WriteLine($"\nStopped after {i} round trips.");
                    await system.Terminate();
                    return 1;
                }
                long start = Stopwatch.GetTimestamp();
                await pong.Ask<byte[]>(payload, TimeSpan.FromSeconds(30));
                samples[i] = Stopwatch.GetTimestamp() - start;
                if (i >= nextReport)
                {
                    Console.Write($"\r  {100L * i / options.Messages,3}%  {i,10} round trips");
                    nextReport += Math.Max(1, options.Messages / 50);
                }
            }
            total.Stop();
            Console.WriteLine($"\r  100%  {options.Messages,10} round trips");
            Report(options, samples, total.Elapsed);
            await system.Terminate();
            return 0;
        }
        finally
        {
            StopPong(pongProcess);
        }
    }

    private static void Report(Options options, long[] samples, TimeSpan elapsed)
    {
        Array.Sort(samples);
        double Micros(double quantile) => samples[(int)Math.Min(samples.Length - 1, quantile * samples.Length)] * 1e6 / Stopwatch.Frequency;
        Console.WriteLine($"mode={options.Mode} round-trips={samples.Length} size={options.Size}B " +
            $"msgs/s={2 * samples.Length / elapsed.TotalSeconds:F0} " +
            $"rtt-p50={Micros(0.50):F1}us rtt-p99={Micros(0.99):F1}us elapsed={elapsed.TotalSeconds:F2}s");
    }

    private static (Process, int) StartPong(Options options)
    {
        // Start this same program again as the pong side, in its own process.
        string self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            start.ArgumentList.Add(typeof(Ping).Assembly.Location);
        foreach (var arg in new[] { "--role", "pong", "--mode", options.Mode, "--directory", options.Directory, "--parent-stdin", "true" })
            start.ArgumentList.Add(arg);
        if (options.Otel)
            start.ArgumentList.Add("--otel");
        var process = Process.Start(start)!;
        while (process.StandardOutput.ReadLine() is { } line)
            if (line.StartsWith("PONG ", StringComparison.Ordinal))
            {
                if (options.Otel)
                    s_pongOutput = ForwardAsync(process.StandardOutput);
                return (process, Address.Parse(line[5..]).Port!.Value);
            }
        throw new InvalidOperationException("The pong process exited before reporting its address.");
    }

    private static Task? s_pongOutput;

    /// <summary>With --otel the pong exports too: its lines are printed here, marked "pong| ", until it exits.</summary>
    private static Task ForwardAsync(StreamReader output) => Task.Run(async () =>
    {
        while (await output.ReadLineAsync() is { } line)
            Console.WriteLine("pong| " + line);
    });

    private static void StopPong(Process? process)
    {
        if (process == null)
            return;
        try
        {
            process.StandardInput.Close(); // the pong stops when its standard input ends
            if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
                process.Kill(entireProcessTree: true);
            s_pongOutput?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (InvalidOperationException) { }
        process.Dispose();
    }
}
