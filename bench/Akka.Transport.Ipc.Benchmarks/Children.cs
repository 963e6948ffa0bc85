using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Threading.Channels;

namespace Akka.Transport.Ipc.Benchmarks;

/// <summary>
/// A child process: this same program started again with <c>--role</c>. It talks back with <c>@@{json}</c> lines on
/// stdout (anything else is its log, kept in a file) and is told to stop with a line on stdin; it also stops by
/// itself when stdin closes, so it dies with this process even when this one is killed. Every child is registered
/// so that a failure, a timeout, Ctrl+C or SIGTERM kills and reaps it.
/// </summary>
internal sealed class Child : IAsyncDisposable
{
    public const string MessagePrefix = "@@";

    private static readonly ConcurrentDictionary<int, Child> Running = new();
    private static string? _logDirectory;
    private static int _sequence;

    private readonly Process _process;
    private readonly Channel<JsonElement> _messages = Channel.CreateUnbounded<JsonElement>();
    private readonly StreamWriter _log;
    private readonly object _logLock = new();
    private readonly Queue<string> _tail = new();
    private bool _disposed;

    private Child(string name, Process process, StreamWriter log)
    {
        Name = name;
        _process = process;
        _log = log;
    }

    public string Name { get; }

    /// <summary>First lines of the [ERROR] and [WARNING] log entries the child printed (Akka's log format).</summary>
    public List<string> Problems { get; } = new();

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Where child logs go (the results directory); null = discard.</summary>
    public static void SetLogDirectory(string? directory) => _logDirectory = directory;

    /// <summary>Starts this program again with <paramref name="args"/> (which begin with --role).</summary>
    public static Child Start(string name, params string[] args)
    {
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("No process path");
        var start = new ProcessStartInfo(self)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            start.ArgumentList.Add(typeof(Child).Assembly.Location);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        string fileName = $"{Interlocked.Increment(ref _sequence):D3}-{name}.log";
        var log = _logDirectory != null
            ? new StreamWriter(Path.Combine(_logDirectory, fileName)) { AutoFlush = true }
            : StreamWriter.Null;
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var child = new Child(name, process, log);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data, stderr: false);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data, stderr: true);
        if (!process.Start())
            throw new InvalidOperationException($"Could not start child {name}");
        Running[process.Id] = child;
        log.WriteLine($"# {name}: pid {process.Id}, args: {string.Join(' ', args)}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>
    /// Waits for the next message of <paramref name="type"/>. A child's "error" message, its exit, or the timeout
    /// fails with the reason and the end of its log.
    /// </summary>
    public async Task<JsonElement> ReceiveAsync(string type, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var message = await _messages.Reader.ReadAsync(cts.Token);
                string got = message.GetProperty("type").GetString() ?? "";
                if (got == type)
                    return message;
                if (got == "error")
                    throw new ChildFailedException($"{Name} failed: {message.GetProperty("message").GetString()}");
            }
        }
        catch (OperationCanceledException)
        {
            throw new ChildFailedException($"{Name} sent no '{type}' within {timeout.TotalSeconds:F0} s.{Tail()}");
        }
        catch (ChannelClosedException)
        {
            await Task.Delay(200); // let the last lines of stderr arrive
            string code = _process.HasExited ? _process.ExitCode.ToString() : "?";
            throw new ChildFailedException($"{Name} exited (code {code}) before sending '{type}'.{Tail()}");
        }
    }

    /// <summary>
    /// Awaits <paramref name="work"/>, failing at once if one of <paramref name="partners"/> exits before it is done
    /// (instead of waiting for a timeout on the side that is left talking to nobody).
    /// </summary>
    public static async Task Guard(Task work, params Child[] partners)
    {
        var exits = partners.Select(p => p._process.WaitForExitAsync()).ToArray();
        var first = await Task.WhenAny(exits.Prepend(work));
        if (first != work)
        {
            var gone = partners[Array.IndexOf(exits, first)];
            await Task.Delay(200);
            throw new ChildFailedException($"{gone.Name} exited unexpectedly (code {gone._process.ExitCode}).{gone.Tail()}");
        }
        await work;
    }

    /// <summary>Sends a command line to the child's stdin.</summary>
    public void Send(string line)
    {
        try
        {
            _process.StandardInput.WriteLine(line);
            _process.StandardInput.Flush();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException) { }
    }

    /// <summary>Asks the child to stop and waits; kills it (and its tree) when it does not exit in time.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            Send("stop");
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                Kill();
                _process.WaitForExit(5000);
                throw new ChildFailedException($"{Name} did not exit within {timeout.TotalSeconds:F0} s of being told to stop; killed.{Tail()}");
            }
        }
        _process.WaitForExit(); // drains the output events
        int code = _process.ExitCode;
        if (code != 0)
            throw new ChildFailedException($"{Name} exited with code {code}.{Tail()}");
        return code;
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { }
    }

    /// <summary>A one-line account of the child's logged errors and warnings, or null when there were none.</summary>
    public string? DescribeProblems()
    {
        lock (_logLock)
        {
            if (Problems.Count == 0)
                return null;
            int errors = Problems.Count(p => p.StartsWith("[ERROR]", StringComparison.Ordinal));
            // Drop Akka's "[date][thread][path]" prefix fields, keep the level and the text.
            string Short(string line)
            {
                string level = line[..(line.IndexOf(']') + 1)];
                int text = line.LastIndexOf("] ", StringComparison.Ordinal);
                string body = text >= 0 ? line[(text + 2)..] : line;
                return level + " " + (body.Length > 160 ? body[..160] + "..." : body);
            }
            return $"{Name} logged {errors} ERROR and {Problems.Count - errors} WARNING entries: " +
                string.Join(" | ", Problems.Take(3).Select(Short));
        }
    }

    /// <summary>Kills the child if it still runs and reaps it. Never throws.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        try
        {
            if (!_process.HasExited)
            {
                Send("stop");
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try { await _process.WaitForExitAsync(cts.Token); }
                catch (OperationCanceledException) { Kill(); }
            }
            _process.WaitForExit(5000);
        }
        catch (Exception) { Kill(); }
        Running.TryRemove(_process.Id, out _);
        lock (_logLock)
        {
            _log.WriteLine($"# {Name}: {(_process.HasExited ? "exit code " + _process.ExitCode : "still running?")}");
            _log.Dispose();
        }
        _process.Dispose();
    }

    /// <summary>Kills every child still running (failure paths, Ctrl+C, SIGTERM, exit).</summary>
    public static void KillAll()
    {
        foreach (var child in Running.Values)
        {
            child.Kill();
            try { child._process.WaitForExit(3000); } catch (Exception) { }
        }
    }

    private static readonly List<PosixSignalRegistration> SignalRegistrations = new();

    /// <summary>Makes Ctrl+C, SIGTERM and SIGHUP kill the children before this process goes.</summary>
    public static void InstallExitHandlers(Action onSignal)
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP })
        {
            SignalRegistrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                Console.Error.WriteLine($"\n{context.Signal}: stopping children and cleaning up");
                KillAll();
                onSignal();
                context.Cancel = false; // then let the default handling terminate the process
            }));
        }
    }

    private void OnLine(string? line, bool stderr)
    {
        if (line == null)
        {
            if (!stderr)
                _messages.Writer.TryComplete(); // stdout closed: the child is gone (or going)
            return;
        }
        if (!stderr && line.StartsWith(MessagePrefix, StringComparison.Ordinal))
        {
            try
            {
                using var doc = JsonDocument.Parse(line.AsMemory(MessagePrefix.Length));
                _messages.Writer.TryWrite(doc.RootElement.Clone());
                lock (_logLock)
                    if (!_disposed) _log.WriteLine(line);
                return;
            }
            catch (JsonException) { }
        }
        lock (_logLock)
        {
            if (line.StartsWith("[ERROR]", StringComparison.Ordinal) || line.StartsWith("[WARNING]", StringComparison.Ordinal))
                Problems.Add(line);
            if (!_disposed)
                _log.WriteLine(stderr ? "[stderr] " + line : line);
            _tail.Enqueue(line);
            while (_tail.Count > 25)
                _tail.Dequeue();
        }
    }

    private string Tail()
    {
        lock (_logLock)
            return _tail.Count == 0 ? "" : "\n  last output:\n    " + string.Join("\n    ", _tail);
    }
}

internal sealed class ChildFailedException(string message) : Exception(message);

/// <summary>The child side of the protocol: messages to the parent, stop requests from it.</summary>
internal static class Parent
{
    private static readonly TaskCompletionSource StopSource = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static readonly Channel<string> Commands = Channel.CreateUnbounded<string>();

    /// <summary>Completes when the parent says "stop" or goes away (stdin closed).</summary>
    public static Task StopRequested => StopSource.Task;

    /// <summary>Lines other than "stop" sent by the parent.</summary>
    public static ChannelReader<string> CommandReader => Commands.Reader;

    /// <summary>
    /// Starts watching stdin. When it closes the parent is gone: stop, and if stopping takes longer than
    /// <paramref name="orphanGrace"/>, exit hard so no orphan lingers.
    /// </summary>
    public static void Watch(TimeSpan orphanGrace)
    {
        var thread = new Thread(() =>
        {
            while (true)
            {
                string? line;
                try { line = Console.In.ReadLine(); }
                catch (Exception) { line = null; }
                if (line == null)
                {
                    StopSource.TrySetResult();
                    Thread.Sleep(orphanGrace);
                    Environment.Exit(3);
                    return;
                }
                if (line == "stop")
                    StopSource.TrySetResult();
                else
                    Commands.Writer.TryWrite(line);
            }
        }) { IsBackground = true, Name = "parent-watch" };
        thread.Start();
    }

    public static void Send(string type, object? payload = null)
    {
        var message = new Dictionary<string, object?> { ["type"] = type };
        if (payload != null)
            foreach (var property in JsonSerializer.SerializeToElement(payload).EnumerateObject())
                message[property.Name] = property.Value;
        Console.Out.WriteLine(Child.MessagePrefix + JsonSerializer.Serialize(message));
        Console.Out.Flush();
    }
}
