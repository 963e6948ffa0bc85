using System.Diagnostics;
using System.Runtime;

namespace Akka.Transport.Ipc.Benchmarks;

/// <summary>
/// Warms a code path up until the JIT has finished with it. Tiered compilation first runs quick tier-0 code and
/// recompiles hot methods in the background after a delay, so a fixed short warm-up measures the JIT, not the
/// transport (a 0.1 s phase ran at half the steady-state rate). Rounds repeat until the JIT compiled at most
/// <see cref="QuietMethods"/> methods over the last <see cref="QuietFor"/>, within [<see cref="Min"/>,
/// <see cref="Max"/>]. Not zero: Akka keeps compiling the odd method (about one every 150 ms while actors are
/// created and stopped), against hundreds per round while the path is cold.
/// </summary>
internal static class JitWarmup
{
    /// <summary>Set (to 1) in the environment of --quick runs, which children inherit: shorter, rougher warm-ups.</summary>
    public const string QuickVariable = "AKKA_IPC_BENCH_QUICK";

    // Declared before the fields below: static initialisers run in text order.
    private static readonly bool Quick = Environment.GetEnvironmentVariable(QuickVariable) == "1";

    /// <summary>The window over which the JIT must be (nearly) idle.</summary>
    public static readonly TimeSpan QuietFor = TimeSpan.FromSeconds(Quick ? 0.5 : 1);

    /// <summary>Compilations tolerated within <see cref="QuietFor"/>.</summary>
    public const int QuietMethods = 12;

    /// <summary>Shortest warm-up, so the background tier-1 compiler has had its start delay and some time.</summary>
    public static readonly TimeSpan Min = TimeSpan.FromSeconds(Quick ? 0.5 : 2);

    /// <summary>Longest warm-up, in case the trickle of tier-1 recompilations goes on (by then the hot path is compiled).</summary>
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(Quick ? 1.5 : 8);

    /// <summary>How the warm-up ends, for the benchmark's headings.</summary>
    public static string Describe => FormattableString.Invariant(
        $"repeated until the JIT compiled at most {QuietMethods} methods in {QuietFor.TotalSeconds:0.##} s, {Min.TotalSeconds:0.#}-{Max.TotalSeconds:0.#} s");

    /// <summary>Runs <paramref name="round"/> until the JIT is quiet; returns the time spent.</summary>
    public static async Task<TimeSpan> RunAsync(Func<Task> round)
    {
        var watch = Stopwatch.StartNew();
        var history = new Queue<(TimeSpan At, long Compiled)>();
        history.Enqueue((TimeSpan.Zero, JitInfo.GetCompiledMethodCount()));
        while (watch.Elapsed < Max)
        {
            await round();
            var now = (At: watch.Elapsed, Compiled: JitInfo.GetCompiledMethodCount());
            // Keep the newest sample that is at least QuietFor old as the window's start.
            while (history.Count > 1 && now.At - history.ElementAt(1).At >= QuietFor)
                history.Dequeue();
            var first = history.Peek();
            history.Enqueue(now);
            if (now.At >= Min && now.At - first.At >= QuietFor && now.Compiled - first.Compiled <= QuietMethods)
                break;
        }
        return watch.Elapsed;
    }

    /// <summary>Synchronous form, for loops that must not await.</summary>
    public static TimeSpan Run(Action round) =>
        RunAsync(() => { round(); return Task.CompletedTask; }).GetAwaiter().GetResult();
}
