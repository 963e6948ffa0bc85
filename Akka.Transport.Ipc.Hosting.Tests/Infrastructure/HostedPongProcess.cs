using System.Diagnostics;
using Akka.Actor;
using Mono.Unix.Native;

namespace Akka.Transport.Ipc.Hosting.Tests.Infrastructure;

/// <summary>
/// examples/HostedPingPong started as a pong in its own process — a generic host whose ActorSystem is configured by
/// WithIpcRemoting from its configuration (here command-line keys <c>--Ipc:…</c>) — with standard input from
/// /dev/null as a service has it. It runs until SIGTERM. Disposing kills it if it is still running.
/// </summary>
internal sealed class HostedPongProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly TaskCompletionSource<Address> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<string> _log;

    private HostedPongProcess(Process process, Action<string> log)
    {
        _process = process;
        _log = log;
        _process.OutputDataReceived += (_, e) => OnLine(e.Data, "out");
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data, "err");
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>`dotnet HostedPingPong.dll --role pong &lt;args&gt; &lt; /dev/null`.</summary>
    public static HostedPongProcess Start(Action<string> log, params string[] args)
    {
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$0\" \"$@\" < /dev/null");
        start.ArgumentList.Add(Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal) ? Environment.ProcessPath : "dotnet");
        start.ArgumentList.Add(ExampleAssembly("HostedPingPong"));
        foreach (var arg in new[] { "--role", "pong" }.Concat(args))
            start.ArgumentList.Add(arg);
        return new HostedPongProcess(Process.Start(start)!, log);
    }

    /// <summary>The address the pong printed once its host had started.</summary>
    public Task<Address> Address => _address.Task;

    public int Pid => _process.Id;

    /// <summary>Sends SIGTERM and waits for the exit: (exit code, everything it printed).</summary>
    public async Task<(int ExitCode, string Output)> TerminateAsync(TimeSpan timeout)
    {
        Assert.Equal(0, Syscall.kill(_process.Id, Signum.SIGTERM));
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        lock (_stdout)
            return (_process.ExitCode, string.Join(Environment.NewLine, _stdout));
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        _process.Dispose();
    }

    private void OnLine(string? line, string stream)
    {
        if (line == null)
        {
            if (stream == "out")
                _address.TrySetException(new InvalidOperationException("the pong process closed its output before printing its address"));
            return;
        }
        lock (_stdout)
            _stdout.Add(line);
        try { _log($"[pong {stream}] {line}"); } catch (InvalidOperationException) { /* test already finished */ }
        if (line.StartsWith("PONG ", StringComparison.Ordinal))
            _address.TrySetResult(Akka.Actor.Address.Parse(line["PONG ".Length..]));
    }

    /// <summary>examples/&lt;name&gt;/bin/&lt;configuration&gt;/&lt;tfm&gt;/&lt;name&gt;.dll, built with these tests' configuration
    /// (the test project references it with ReferenceOutputAssembly=false).</summary>
    private static string ExampleAssembly(string name)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var root = output;
        while (root != null && !File.Exists(Path.Combine(root.FullName, "Akka.Transport.Ipc.sln")))
            root = root.Parent;
        if (root == null)
            throw new DirectoryNotFoundException($"No Akka.Transport.Ipc.sln above {output.FullName}");
        string dll = Path.Combine(root.FullName, "examples", name, "bin", output.Parent!.Name, output.Name, name + ".dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"{dll} is missing: build examples/{name}", dll);
    }
}
