using System.Diagnostics;
using Akka.Actor;
using Akka.Transport.Ipc.Tests.NodeHost;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>
/// A NodeHost child process: forwards its output to the test log, exposes its bound Akka
/// address, and guarantees it does not outlive the test.
/// </summary>
public sealed class NodeProcess : IDisposable
{
    private const string AddressPrefix = "ADDRESS ";
    private static readonly TimeSpan DefaultStartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DefaultStopTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly ITestOutputHelper _output;
    private readonly string _name;
    private readonly object _outputLock = new();
    private readonly TaskCompletionSource<Address> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _lines = new();
    private bool _outputClosed;
    private bool _disposed;

    private NodeProcess(NodeOptions options, ITestOutputHelper output)
    {
        _output = output;
        _name = options.SystemName;

        var startInfo = new ProcessStartInfo(NodeHostLocator.DotnetHost)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(NodeHostLocator.NodeHostAssembly);
        foreach (var argument in options.ToArguments())
            startInfo.ArgumentList.Add(argument);

        _process = new Process { StartInfo = startInfo };
        _process.OutputDataReceived += (_, e) => OnStdout(e.Data);
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                Log("err", e.Data);
        };

        _process.Start();
        ProcessId = _process.Id;
        LeakGuard.Track(this);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Log("harness", $"started pid {ProcessId}: {startInfo.FileName} {string.Join(' ', startInfo.ArgumentList)}");
    }

    public int ProcessId { get; }

    /// <summary>The address the child's ActorSystem bound to (from its ADDRESS line).</summary>
    public Address Address => _address.Task.IsCompletedSuccessfully
        ? _address.Task.Result
        : throw new InvalidOperationException("The node has not reported its address.");

    public bool HasExited => _process.HasExited;

    /// <summary>Every stdout and stderr line the node printed so far.</summary>
    public IReadOnlyList<string> OutputLines
    {
        get
        {
            lock (_lines)
                return _lines.ToArray();
        }
    }

    /// <summary>Exit code once the process has exited, otherwise null.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>Starts a node and waits until it reports its bound address.</summary>
    public static async Task<NodeProcess> StartAsync(NodeOptions options, ITestOutputHelper output, TimeSpan? timeout = null)
    {
        var node = new NodeProcess(options, output);
        try
        {
            await node._address.Task.WaitAsync(timeout ?? DefaultStartTimeout);
            return node;
        }
        catch (TimeoutException)
        {
            node.Dispose();
            throw new TimeoutException($"Node {options.SystemName} (pid {node.ProcessId}) printed no ADDRESS line within {timeout ?? DefaultStartTimeout}.");
        }
        catch
        {
            node.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Asks the node to shut down cleanly (STOP on stdin) and returns its exit code.
    /// Kills the process tree and throws if it does not exit in time.
    /// </summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        if (!_process.HasExited)
        {
            try
            {
                await _process.StandardInput.WriteLineAsync("STOP");
                await _process.StandardInput.FlushAsync();
                _process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The child exited meanwhile (broken pipe): its exit code tells what happened.
            }
        }

        var limit = timeout ?? DefaultStopTimeout;
        using var cts = new CancellationTokenSource(limit);
        try
        {
            // Also waits for stdout/stderr to drain, so every line reaches the test log.
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Log("harness", $"did not exit within {limit} after STOP; killing the process tree");
            KillTree();
            throw new TimeoutException($"Node {_name} (pid {ProcessId}) did not exit within {limit} after STOP and was killed.");
        }

        Log("harness", $"exited with code {_process.ExitCode}");
        return _process.ExitCode;
    }

    /// <summary>True once the test killed the node on purpose.</summary>
    public bool WasKilled { get; private set; }

    /// <summary>SIGKILL: simulates a crash, no cleanup runs in the child.</summary>
    public void Kill()
    {
        WasKilled = true;
        if (_process.HasExited)
            return;
        _process.Kill();
        _process.WaitForExit();
        Log("harness", $"killed, exit code {_process.ExitCode}");
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        LeakGuard.Untrack(this);
        KillTree();
        lock (_outputLock)
            _outputClosed = true;
        _process.Dispose();
    }

    private void KillTree()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
    }

    private void OnStdout(string? line)
    {
        if (line is null)
        {
            _address.TrySetException(new InvalidOperationException(
                $"Node {_name} (pid {ProcessId}) closed stdout before printing its ADDRESS line."));
            return;
        }

        if (line.StartsWith(AddressPrefix, StringComparison.Ordinal))
        {
            try
            {
                _address.TrySetResult(Address.Parse(line[AddressPrefix.Length..].Trim()));
            }
            catch (Exception e)
            {
                _address.TrySetException(e);
            }
        }

        Log("out", line);
    }

    // Output events arrive on thread-pool threads and may outlive the test; xunit throws
    // when writing to a finished test's output, so writes stop once disposed.
    private void Log(string stream, string line)
    {
        lock (_lines)
            _lines.Add(line);
        lock (_outputLock)
        {
            if (_outputClosed)
                return;
            try
            {
                _output.WriteLine($"[{_name}:{ProcessId} {stream}] {line}");
            }
            catch (InvalidOperationException)
            {
                _outputClosed = true;
            }
        }
    }
}
