using System.Diagnostics;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Akka.Transport.Ipc.Tests.NodeHost;
using Mono.Unix.Native;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Lifecycle;

/// <summary>
/// A process that leaves in any way short of SIGKILL while its endpoints are still shutting down or running — Main
/// returning, Environment.Exit, SIGTERM, SIGINT, SIGQUIT, SIGHUP — leaves nothing: no lock, life or accept file, no
/// FIFO or segment, no doorbell semaphore. Akka.NET's RemotePingPong shape (<see cref="RemotePingPongExit"/>);
/// the Main/Exit endings several runs each, since the original leak showed in one run of four.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class ProcessExitTests(ITestOutputHelper output)
{
    private const int Runs = 3;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    /// <summary>Generous: a signalled child leaves within a second here; 20 s only absorbs a loaded machine.</summary>
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("return")]
    [InlineData("exit")]
    public async Task A_process_leaving_while_its_endpoints_shut_down_leaves_nothing(string ending)
    {
        for (int run = 1; run <= Runs; run++)
        {
            using var directory = new IpcTestDirectory();
            var (exitCode, _) = await RunChildAsync(ending, "TERMINATING", null, directory.Path);
            output.WriteLine($"run {run}: exit code {exitCode}");
            AssertNothingLeft(directory, $"run {run} ({ending})");
        }
    }

    /// <summary>
    /// <c>docker stop</c> (SIGTERM), Ctrl+C (SIGINT), SIGQUIT and a closed terminal (SIGHUP) sent to a running app
    /// with associations whose Main awaits its systems' termination, as a service written against Akka does.
    /// <c>service</c>: nothing asked for CoordinatedShutdown, so Akka.NET 1.5 has no signal hook and every signal
    /// takes its default action while both endpoints are live (.NET 10 raises no ProcessExit for SIGTERM).
    /// <c>coordinated</c>: CoordinatedShutdown was used, so Akka's hook cancels SIGTERM and SIGINT, runs
    /// CoordinatedShutdown and Main returns (exit 0). Either way the process is gone within the bound and leaves
    /// nothing; the exit code says which way it went.
    /// </summary>
    [Theory]
    [InlineData("service", Signum.SIGTERM, 128 + 15)]
    [InlineData("service", Signum.SIGINT, 128 + 2)]
    [InlineData("service", Signum.SIGQUIT, 128 + 3)]
    [InlineData("service", Signum.SIGHUP, 128 + 1)]
    [InlineData("coordinated", Signum.SIGTERM, 0)]
    [InlineData("coordinated", Signum.SIGINT, 0)]
    public async Task A_signalled_process_leaves_promptly_and_leaves_nothing(string ending, Signum signal, int expectedExitCode)
    {
        using var directory = new IpcTestDirectory();
        var (exitCode, _) = await RunChildAsync(ending, "RUNNING", signal, directory.Path);
        Assert.Equal(expectedExitCode, exitCode);
        AssertNothingLeft(directory, $"{ending} {signal}");
    }

    /// <summary>
    /// An app that cancels SIGTERM to shut down in its own time, with a handler registered once its systems run (as
    /// Akka's CoordinatedShutdown hook is), keeps every name of its endpoints until their own shutdown: the
    /// endpoints' SIGTERM hook releases nothing for a cancelled signal, so no other endpoint can claim the port
    /// while these still flush. (.NET 10 calls the newest handler first; see EndpointExitHooks for one registered
    /// before the first endpoint.)
    /// </summary>
    [Fact]
    public async Task A_cancelled_SIGTERM_releases_nothing_before_the_apps_own_shutdown()
    {
        using var directory = new IpcTestDirectory();
        var (exitCode, lines) = await RunChildAsync("cancelled", "RUNNING", Signum.SIGTERM, directory.Path);
        Assert.Contains("NAMES-KEPT", lines);
        Assert.Equal(0, exitCode);
        AssertNothingLeft(directory, "cancelled SIGTERM");
    }

    private static void AssertNothingLeft(IpcTestDirectory directory, string what)
    {
        var left = directory.LeftoverEntries();
        Assert.True(left.Count == 0, $"{what}: the exited process left {string.Join(", ", left)}");
    }

    /// <summary>Runs the child until <paramref name="ready"/>, sends <paramref name="signal"/>, waits for the exit.</summary>
    private async Task<(int ExitCode, IReadOnlyList<string> Lines)> RunChildAsync(
        string ending, string ready, Signum? signal, string directory)
    {
        var start = new ProcessStartInfo(NodeHostLocator.DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { NodeHostLocator.NodeHostAssembly, RemotePingPongExit.Flag, ending, directory })
            start.ArgumentList.Add(argument);
        using var process = new Process { StartInfo = start };
        var terminating = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lines = new List<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data == null)
                return;
            Log("out", e.Data);
            lock (lines)
                lines.Add(e.Data);
            if (e.Data == ready)
                terminating.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data != null)
                Log("err", e.Data);
        };
        process.Start();
        try
        {
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var exited = process.WaitForExitAsync();
            if (await Task.WhenAny(terminating.Task, exited, Task.Delay(StartTimeout)) == exited)
                await exited; // an exit right after TERMINATING may beat its line: this also drains the output
            if (!terminating.Task.IsCompleted)
                Assert.Fail($"the child (pid {process.Id}) never reached {ready}");
            if (signal != null)
                Assert.False(process.HasExited, $"the child (pid {process.Id}) exited before the signal");
            if (signal is { } s)
                Assert.Equal(0, Syscall.kill(process.Id, s));
            var clock = Stopwatch.StartNew();
            await Task.WhenAny(process.WaitForExitAsync(), Task.Delay(ExitTimeout));
            if (!process.HasExited)
                Assert.Fail($"the child (pid {process.Id}) was still running {ExitTimeout.TotalSeconds} s after {signal?.ToString() ?? ready}");
            await process.WaitForExitAsync(); // drains the output
            output.WriteLine($"exited {clock.ElapsedMilliseconds} ms after {ready}{(signal is { } sent ? " and " + sent : "")}, code {process.ExitCode}");
            lock (lines)
                return (process.ExitCode, lines.ToArray());
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
    }

    private void Log(string stream, string line)
    {
        try
        {
            output.WriteLine($"[child {stream}] {line}");
        }
        catch (InvalidOperationException)
        {
            // The test finished; late output is dropped.
        }
    }
}
