using System.Diagnostics;
using Akka.Actor;
using Examples.Shared;

namespace ProducerConsumer;

/// <summary>
/// The consumer process: hosts /user/consumer, starts the producer processes, watches progress and reports.
/// Exit code 0 only if every stream arrived complete and in order and every producer exited 0.
/// </summary>
internal static class Consumer
{
    private static readonly TimeSpan OverallTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(Options options)
    {
        var tally = new Tally(options.Producers);
        var done = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        StopSignals.OnStop(reason => done.TrySetResult(reason)); // so the cleanup below still runs
        string? error;
        using (var system = ActorSystem.Create("Consumer", Hocon.For(options)))
        {
            system.ActorOf(Props.Create(() => new ConsumerActor(options, tally, done)), "consumer");
            string address = ((ExtendedActorSystem)system).Provider.DefaultAddress.ToString();
            Console.WriteLine($"Consumer at {address}: {options.Producers} producers x {options.Messages} messages " +
                $"of {options.Size} B over {options.Mode}");
            using (var producers = ProducerProcesses.Start(options, address))
            {
                error = await WatchAsync(options, tally, done, producers);
                // Producers exit by themselves once their last message is acknowledged; Dispose stops the rest.
                // Akka.Remote logs each departure as "Association ... has failed" plus an ERROR "Disassociated",
                // over dot-netty.tcp just as over IPC: expected here, not a lost message.
                error ??= producers.WaitForExit(ExitTimeout);
            }
            await system.Terminate();
        }
        Report(options, tally, error);
        return error == null ? 0 : 1;
    }

    /// <summary>Prints progress until the consumer actor is done, a producer dies, or the run stalls or times out.</summary>
    private static async Task<string?> WatchAsync(Options options, Tally tally, TaskCompletionSource<string?> done, ProducerProcesses producers)
    {
        long expected = (long)options.Producers * options.Messages;
        var clock = Stopwatch.StartNew();
        var lastProgress = TimeSpan.Zero;
        var lastPrint = TimeSpan.Zero;
        long lastTotal = 0;
        // A redirected stdout (CI, build scripts) gets a plain line every few seconds instead of an updating one.
        bool interactive = !Console.IsOutputRedirected;
        while (await Task.WhenAny(done.Task, Task.Delay(250)) != done.Task)
        {
            long total = tally.Total;
            if (total != lastTotal)
                (lastTotal, lastProgress) = (total, clock.Elapsed);
            if (producers.EarlyExit(tally, options.Messages) is { } exited)
                done.TrySetResult(exited);
            else if (clock.Elapsed - lastProgress > StallTimeout)
                done.TrySetResult($"no progress for {StallTimeout.TotalSeconds:F0} s ({total} of {expected} messages)");
            else if (clock.Elapsed > OverallTimeout)
                done.TrySetResult($"timed out after {OverallTimeout.TotalMinutes:F0} min ({total} of {expected} messages)");
            if (interactive || clock.Elapsed - lastPrint > TimeSpan.FromSeconds(5))
            {
                lastPrint = clock.Elapsed;
                Console.Write($"{(interactive ? "\r" : "")}  {100 * total / expected,3}%  {total,10} of {expected} messages" +
                    (interactive ? "" : "\n"));
            }
        }
        if (interactive)
            Console.WriteLine();
        return await done.Task;
    }

    private static void Report(Options options, Tally tally, string? error)
    {
        double seconds = Math.Max(tally.Elapsed.TotalSeconds, 1e-6);
        long total = tally.Total;
        Console.WriteLine($"mode={options.Mode} producers={options.Producers} messages={total} size={options.Size}B " +
            $"elapsed={seconds:F2}s msgs/s={total / seconds:F0} MB/s={total * (double)options.Size / seconds / 1e6:F1}");
        Console.WriteLine($"per producer: {tally.PerProducer()}");
        if (error == null)
            Console.WriteLine("OK: every producer's messages arrived complete and in order; every producer exited 0");
        else
            Console.Error.WriteLine($"FAILED: {error}");
    }
}
