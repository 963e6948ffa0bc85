using System.Diagnostics;
using Akka.Actor;
using Akka.Transport.Ipc.Tests.NodeHost;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>
/// A NodeHost child process: forwards its output to the test log, exposes its bound Akka
/// address, and guarantees it does not outlive the test. Commands carry an id their answer echoes; the child's
/// ERROR log events arrive as <c>UNEXPECTED-ERROR</c> lines, which fail the test at <see cref="Dispose"/>, as
/// does a child still running there that the test neither stopped nor killed (it is killed first).
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
    private TaskCompletionSource _lineArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _outputClosed;
    private bool _disposed;
    private int _nextCommandId;
    private int _failuresReported;
    private bool _stopRequested;

    private NodeProcess(NodeOptions options, ITestOutputHelper output, string? label)
    {
        _output = output;
        _name = label ?? options.SystemName;

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

    /// <summary>
    /// Starts a node and waits until it reports its bound address. <paramref name="label"/> names it in the log and in
    /// failures (default: its system name; cluster members share one).
    /// </summary>
    public static async Task<NodeProcess> StartAsync(NodeOptions options, ITestOutputHelper output, TimeSpan? timeout = null, string? label = null)
    {
        var node = new NodeProcess(options, output, label);
        try
        {
            await node._address.Task.WaitAsync(timeout ?? DefaultStartTimeout);
            return node;
        }
        catch (TimeoutException)
        {
            node.Abandon();
            throw new TimeoutException($"Node {node._name} (pid {node.ProcessId}) printed no ADDRESS line within {timeout ?? DefaultStartTimeout}.");
        }
        catch
        {
            node.Abandon();
            throw;
        }
    }

    /// <summary>Start failed: kill and release the node; the start failure is what the test reports.</summary>
    private void Abandon()
    {
        _stopRequested = true;
        try
        {
            Dispose();
        }
        catch (Xunit.Sdk.XunitException e)
        {
            _output.WriteLine($"[{_name}:{ProcessId} harness] {e.Message}");
        }
    }

    /// <summary>
    /// Asks the node to shut down cleanly (STOP on stdin) and returns its exit code.
    /// Kills the process tree and throws if it does not exit in time.
    /// </summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        _stopRequested = true;
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

    /// <summary>
    /// Sends one command (see NodeCommands) and returns its answer (without the id): the line echoing this command's
    /// id, never an answer to an earlier, abandoned command. A <c>FAILED</c> answer, an answer not starting with
    /// <paramref name="answerPrefix"/> or the node's exit fails the test with what it said.
    /// </summary>
    public async Task<string> RequestAsync(string command, string answerPrefix, TimeSpan timeout)
    {
        string answer = await AnswerOfAsync(await SendCommandAsync(command), timeout);
        if (answer.StartsWith("FAILED", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _failuresReported);
            throw new Xunit.Sdk.XunitException($"Node {_name} (pid {ProcessId}) failed '{command}': {answer}");
        }
        if (!answer.StartsWith(answerPrefix, StringComparison.Ordinal))
            throw new Xunit.Sdk.XunitException($"Node {_name} (pid {ProcessId}) answered '{command}' with '{answer}', expected '{answerPrefix}…'");
        return answer;
    }

    /// <summary>
    /// Sends one command without waiting for its answer. If it fails, the next <see cref="BarrierAsync"/> fails.
    /// </summary>
    public async Task SendAsync(string command) => await SendCommandAsync(command);

    /// <summary>
    /// Returns once the node has finished every command sent to it before, none of them failed unseen (a FAILED
    /// answer that no <see cref="RequestAsync"/> reported), and it reached this barrier. Throws otherwise.
    /// </summary>
    public async Task BarrierAsync(string name, TimeSpan timeout)
    {
        int id = await SendCommandAsync($"BARRIER {name}");
        string answer = await AnswerOfAsync(id, timeout);
        var parts = answer.Split(' ');
        if (parts.Length != 4 || parts[0] != "BARRIER" || parts[1] != name
            || !int.TryParse(parts[2], out int completed) || !int.TryParse(parts[3], out int failed))
            throw new Xunit.Sdk.XunitException($"Node {_name} (pid {ProcessId}) answered barrier '{name}' with '{answer}'");
        if (completed != id - 1)
            throw new Xunit.Sdk.XunitException($"Node {_name} (pid {ProcessId}) reached barrier '{name}' having finished {completed} of the {id - 1} commands sent before it");
        if (failed != Volatile.Read(ref _failuresReported))
        {
            var failures = OutputLines.Where(l => l.StartsWith('#') && l.Contains(" FAILED", StringComparison.Ordinal));
            throw new Xunit.Sdk.XunitException($"Node {_name} (pid {ProcessId}) reached barrier '{name}' after {failed} failed command(s), "
                + $"{_failuresReported} of them reported to the test: {string.Join("; ", failures)}");
        }
    }

    private async Task<int> SendCommandAsync(string command)
    {
        int id = Interlocked.Increment(ref _nextCommandId);
        await _process.StandardInput.WriteLineAsync($"#{id} {command}");
        await _process.StandardInput.FlushAsync();
        return id;
    }

    private async Task<string> AnswerOfAsync(int id, TimeSpan timeout)
    {
        string tag = $"#{id} ";
        string line = await WaitForLineAsync(l => l.StartsWith(tag, StringComparison.Ordinal), timeout);
        return line[tag.Length..];
    }

    /// <summary>Waits for a line (from index <paramref name="from"/> on) that matches; throws on timeout or exit.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, int from = 0)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Task arrived;
            lock (_lines)
            {
                for (int i = from; i < _lines.Count; i++)
                    if (match(_lines[i]))
                        return _lines[i];
                from = _lines.Count;
                arrived = _lineArrived.Task;
            }
            if (_process.HasExited)
                throw new Xunit.Sdk.XunitException($"Node {_name} (pid {ProcessId}) exited ({_process.ExitCode}) before printing the awaited line.");
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"Node {_name} (pid {ProcessId}) printed no awaited line within {timeout}.");
            // The exit check above needs a wake-up even when no line comes.
            await Task.WhenAny(arrived, Task.Delay(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1)));
        }
    }

    /// <summary>Sends a signal to the node (e.g. SIGSTOP, SIGCONT).</summary>
    public void Signal(Mono.Unix.Native.Signum signal)
    {
        if (Mono.Unix.Native.Syscall.kill(ProcessId, signal) != 0)
            throw new InvalidOperationException($"kill({ProcessId}, {signal}) failed: {Mono.Unix.Native.Stdlib.GetLastError()}");
        Log("harness", $"sent {signal}");
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

    /// <summary>ERROR log events the node did not expect (its UNEXPECTED-ERROR lines).</summary>
    public IReadOnlyList<string> UnexpectedErrors =>
        OutputLines.Where(l => l.StartsWith(ErrorReporter.UnexpectedMarker, StringComparison.Ordinal)).ToList();

    /// <summary>
    /// Kills the node if it still runs, then fails the test if it was still running although the test neither
    /// stopped nor killed it, or if it logged an unexpected ERROR.
    /// </summary>
    /// <exception cref="Xunit.Sdk.XunitException">One of the above; the process is gone either way.</exception>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        LeakGuard.Untrack(this);
        bool leftRunning = !_process.HasExited;
        KillTree();
        lock (_outputLock)
            _outputClosed = true;
        var errors = UnexpectedErrors;
        _process.Dispose();

        var problems = new List<string>();
        if (leftRunning && !WasKilled && !_stopRequested)
            problems.Add("was still running at the end of the test (neither stopped nor killed by it); it was killed now");
        if (errors.Count > 0)
            problems.Add($"logged {errors.Count} unexpected ERROR event(s):" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)));
        if (problems.Count > 0)
            throw new Xunit.Sdk.XunitException($"Node {_name} (pid {ProcessId}) " + string.Join("; and ", problems));
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
        TaskCompletionSource arrived;
        lock (_lines)
        {
            _lines.Add(line);
            arrived = _lineArrived;
            _lineArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        arrived.TrySetResult();
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
