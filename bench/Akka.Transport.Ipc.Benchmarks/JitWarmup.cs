using System.Diagnostics;
using System.Runtime;

namespace Akka.Transport.Ipc.Benchmarks;

/// <summary>
/// Warms a code path up until the JIT has finished with it. Tiered compilation first runs quick tier-0 code and
/// recompiles hot methods in the background after a delay, so a fixed short warm-up measures the JIT, not the
/// transport (a 0.1 s phase ran at half the steady-state rate). Rounds repeat until no method was compiled for
/// <see cref="QuietFor"/>, within <c>[min, max]</c>.
/// </summary>
internal static class JitWarmup
{
    /// <summary>How long the JIT must have compiled nothing before the path counts as warm.</summary>
    public static readonly TimeSpan QuietFor = TimeSpan.FromMilliseconds(750);

    /// <summary>Shortest warm-up, so the background tier-1 compiler has had its start delay and some time.</summary>
    public static readonly TimeSpan Min = TimeSpan.FromSeconds(2);

    /// <summary>Longest warm-up, in case something keeps compiling (the timed part then still runs).</summary>
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(20);

    /// <summary>How the warm-up ends, for the benchmark's headings.</summary>
    public static string Describe => FormattableString.Invariant(
        $"repeated until the JIT has compiled nothing for {QuietFor.TotalSeconds:0.##} s, {Min.TotalSeconds:0}-{Max.TotalSeconds:0} s");

    /// <summary>Runs <paramref name="round"/> until the JIT is quiet; returns the time spent.</summary>
    public static async Task<TimeSpan> RunAsync(Func<Task> round)
    {
        var watch = Stopwatch.StartNew();
        long compiled = JitInfo.GetCompiledMethodCount();
        var lastCompile = TimeSpan.Zero;
        while (watch.Elapsed < Max)
        {
            await round();
            long now = JitInfo.GetCompiledMethodCount();
            if (now != compiled)
            {
                compiled = now;
                lastCompile = watch.Elapsed;
            }
            if (watch.Elapsed >= Min && watch.Elapsed - lastCompile >= QuietFor)
                break;
        }
        return watch.Elapsed;
    }

    /// <summary>Synchronous form, for loops that must not await.</summary>
    public static TimeSpan Run(Action round) =>
        RunAsync(() => { round(); return Task.CompletedTask; }).GetAwaiter().GetResult();
}
