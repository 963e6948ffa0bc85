using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Transport.Ipc.Configuration;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Mono.Unix.Native;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Examples;

/// <summary>
/// The examples' long-running roles, started as a user starts them in the background, under nohup or as a service —
/// standard input from /dev/null — keep running until SIGTERM, then stop in order and leave nothing behind.
/// </summary>
public sealed class ExampleRoleTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StillRunningAfter = TimeSpan.FromSeconds(3);
    /// <summary>The examples run with the transport's defaults; the test's own system must agree with them.</summary>
    private static readonly string ExampleRingSize = IpcSettings.Create(Config.Empty).RingSize + "b";
    private readonly IpcTestDirectory _directory = new();
    private readonly List<Process> _processes = new();

    [Fact]
    public async Task Pong_with_stdin_from_dev_null_keeps_serving_and_exits_0_on_SIGTERM_leaving_nothing()
    {
        var started = Stopwatch.StartNew();
        var pong = Start("PingPong", "--role", "pong", "--mode", "shm", "--directory", _directory.Path);
        string line = await ReadLineStartingWithAsync(pong, "PONG ");
        var pongAddress = Address.Parse(line["PONG ".Length..]);

        // It serves: an Ask from another ActorSystem is answered.
        var client = ActorSystem.Create("Client", IpcConfig.For(_directory.Path, ringSize: ExampleRingSize));
        try
        {
            var echo = await client.ActorSelection($"{pongAddress}/user/pong").ResolveOne(Timeout);
            Assert.Equal("hello", await echo.Ask<string>("hello", Timeout));
        }
        finally
        {
            await client.Terminate().WaitAsync(Timeout);
        }

        await StillRunningAsync(pong, started);
        var (exitCode, stdout, _) = await TerminateAsync(pong);
        Assert.Equal(0, exitCode);
        Assert.Contains("pong: stopped by SIGTERM", stdout);
    }

    [Fact]
    public async Task Producer_with_stdin_from_dev_null_keeps_waiting_for_acks_and_stops_on_SIGTERM_leaving_nothing()
    {
        // A consumer that never acknowledges: the producer has to wait, as it would for a slow consumer.
        var consumer = ActorSystem.Create("Consumer", ConfigurationFactory.ParseString("akka.loglevel = OFF")
            .WithFallback(IpcConfig.For(_directory.Path, ringSize: ExampleRingSize)));
        try
        {
            consumer.ActorOf(Props.Create(() => new Silent()), "consumer");
            var address = ((ExtendedActorSystem)consumer).Provider.DefaultAddress;
            var producer = Start("ProducerConsumer", "--role", "producer", "--consumer", address.ToString(), "--id", "0",
                "--mode", "shm", "--messages", "1000", "--size", "16", "--directory", _directory.Path);
            await ReadLineStartingWithAsync(producer, "producer 0: sending");

            await StillRunningAsync(producer, Stopwatch.StartNew());
            var (exitCode, _, stderr) = await TerminateAsync(producer);
            // Stopped before every message was acknowledged: a failure exit that says why.
            Assert.Equal(1, exitCode);
            Assert.Contains("producer 0: stopped by SIGTERM", stderr);
        }
        finally
        {
            await consumer.Terminate().WaitAsync(Timeout);
        }
    }

    /// <summary>`dotnet example.dll args &lt; /dev/null`, through sh so stdin is exactly what a background job gets.</summary>
    private Process Start(string example, params string[] args)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$0\" \"$@\" < /dev/null");
        start.ArgumentList.Add(DotnetHost.Path);
        start.ArgumentList.Add(ExampleLocator.Assembly(example));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        _processes.Add(process);
        return process;
    }

    private static async Task<string> ReadLineStartingWithAsync(Process process, string prefix)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            if (line.StartsWith(prefix, StringComparison.Ordinal))
                return line;
        await process.WaitForExitAsync().WaitAsync(Timeout); // its output ended: it is exiting
        throw new InvalidOperationException($"The process exited with code {process.ExitCode} before printing '{prefix}': " +
            await process.StandardError.ReadToEndAsync());
    }

    private static async Task StillRunningAsync(Process process, Stopwatch started)
    {
        var left = StillRunningAfter - started.Elapsed;
        if (left > TimeSpan.Zero)
            await Task.Delay(left);
        Assert.False(process.HasExited, process.HasExited
            ? $"exited with code {process.ExitCode} after {started.Elapsed.TotalSeconds:F1} s: {await process.StandardError.ReadToEndAsync()}"
            : "");
    }

    /// <summary>SIGTERM, then the exit code and everything it printed; it must exit well within the time-out.</summary>
    private async Task<(int ExitCode, string Stdout, string Stderr)> TerminateAsync(Process process)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var stopping = Stopwatch.StartNew();
        Assert.Equal(0, Syscall.kill(process.Id, Signum.SIGTERM));
        await process.WaitForExitAsync().WaitAsync(Timeout);
        output.WriteLine($"exited with code {process.ExitCode} {stopping.ElapsedMilliseconds} ms after SIGTERM");
        string o = await stdout, e = await stderr;
        output.WriteLine(o);
        output.WriteLine(e);
        return (process.ExitCode, o, e);
    }

    private sealed class Silent : ReceiveActor
    {
        public Silent() => ReceiveAny(_ => { });
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
            process.Dispose();
        }
        try
        {
            _directory.AssertEmpty();
        }
        finally
        {
            _directory.Dispose();
        }
    }
}
