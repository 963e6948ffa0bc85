using System.Diagnostics;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Akka.Transport.Ipc.Tests.NodeHost;
using Mono.Unix.Native;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Lifecycle;

/// <summary>
/// A process that leaves in any way short of SIGKILL while its endpoints are still shutting down — Main returning,
/// Environment.Exit, SIGTERM, SIGINT — leaves nothing: no lock, life or accept file, no FIFO or segment, no
/// doorbell semaphore. Akka.NET's RemotePingPong shape (<see cref="RemotePingPongExit"/>), several runs each,
/// since the original leak showed in one run of four.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class ProcessExitTests(ITestOutputHelper output)
{
    private const int Runs = 3;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    /// <summary>After SIGTERM the runtime runs Akka's CoordinatedShutdown hook, which waits for the pair's shutdown.</summary>
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData("return", null)]
    [InlineData("exit", null)]
    // Not yet: "signal" with SIGTERM / SIGINT. Under the test host the child did not exit within 90 s of either
    // signal (SIGINT is inherited ignored, which the runtime restores after its handlers; SIGTERM runs Akka's
    // CoordinatedShutdown ProcessExit hook, which waits for the pair's shutdown), so those variants cannot assert
    // "after exit" yet. See the branch report.
    public async Task A_process_leaving_while_its_endpoints_shut_down_leaves_nothing(string ending, Signum? signal)
    {
        for (int run = 1; run <= Runs; run++)
        {
            using var directory = new IpcTestDirectory();
            int exitCode = await RunChildAsync(ending, signal, directory.Path);
            output.WriteLine($"run {run}: exit code {exitCode}");
            var left = directory.LeftoverEntries();
            Assert.True(left.Count == 0,
                $"run {run} ({ending} {signal}): the exited process left {string.Join(", ", left)}");
        }
    }

    private async Task<int> RunChildAsync(string ending, Signum? signal, string directory)
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
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data == null)
                return;
            Log("out", e.Data);
            if (e.Data == "TERMINATING")
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
                Assert.Fail($"the child (pid {process.Id}) never reached TERMINATING");
            if (signal is { } s)
                Assert.Equal(0, Syscall.kill(process.Id, s));
            var clock = Stopwatch.StartNew();
            using var cts = new CancellationTokenSource(ExitTimeout);
            await process.WaitForExitAsync(cts.Token);
            output.WriteLine($"exited {clock.ElapsedMilliseconds} ms after TERMINATING{(signal is { } sent ? " and " + sent : "")}");
            return process.ExitCode;
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
