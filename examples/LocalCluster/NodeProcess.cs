using System.Diagnostics;
using System.Threading.Channels;

namespace LocalCluster;

/// <summary>
/// A node child process as the orchestrator sees it: its report lines (<see cref="Node"/>), each stamped with the
/// orchestrator's monotonic clock when it arrived, and the tail of everything else it printed, for error messages.
/// Its standard input is a pipe held here: closing it (or this process dying) makes the node stop.
/// </summary>
internal sealed class NodeProcess : IDisposable
{
    /// <summary>A report line: what (self, up, unreachable, removed), whose address, and when it arrived.</summary>
    public readonly record struct Report(string What, string Address, TimeSpan At);

    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly Channel<Report> _reports = Channel.CreateUnbounded<Report>();
    private readonly Queue<string> _tail = new();
    private readonly bool _verbose;

    private NodeProcess(string name, Process process, bool verbose)
    {
        Name = name;
        _process = process;
        _verbose = verbose;
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The node's address, once it reported it (<see cref="WaitForAddressAsync"/>).</summary>
    public string Address { get; private set; } = "";

    /// <summary>Starts this same program as a node.</summary>
    public static NodeProcess Start(string name, string directory, string seed, bool downDeadPeers, bool verbose, Stopwatch clock)
    {
        string self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            start.ArgumentList.Add(typeof(NodeProcess).Assembly.Location);
        foreach (var arg in new[] { "--role", "node", "--name", name, "--directory", directory, "--seed", seed,
                     "--down-dead-peers", downDeadPeers ? "on" : "off", "--parent-stdin", "true" })
            start.ArgumentList.Add(arg);
        if (verbose)
            start.ArgumentList.Add("--verbose");
        var process = new Process { StartInfo = start };
        var node = new NodeProcess(name, process, verbose);
        process.OutputDataReceived += (_, e) => node.OnLine(e.Data, clock);
        process.ErrorDataReceived += (_, e) => node.OnLine(e.Data, clock);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    public async Task WaitForAddressAsync(TimeSpan timeout, CancellationToken cancel) =>
        Address = (await NextAsync(r => r.What == "self", "its address", timeout, cancel)).Address;

    /// <summary>The next report matching <paramref name="match"/>; fails naming <paramref name="what"/> on exit or time-out.</summary>
    public async Task<Report> NextAsync(Func<Report, bool> match, string what, TimeSpan timeout, CancellationToken cancel)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timer.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var report = await _reports.Reader.ReadAsync(timer.Token);
                if (match(report))
                    return report;
            }
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            throw new InvalidOperationException($"{Name} did not report {what} within {timeout.TotalSeconds:F0} s.{Tail()}");
        }
        catch (ChannelClosedException)
        {
            _process.WaitForExit();
            throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} before reporting {what}.{Tail()}");
        }
    }

    /// <summary>SIGKILL: no chance to clean up, as in a crash.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    /// <summary>Closes its standard input and waits for it to stop in order; kills it after a grace period. Its exit code (-1 = killed).</summary>
    public int Stop()
    {
        try
        {
            if (!_process.HasExited)
                _process.StandardInput.Close();
            if (!_process.WaitForExit(StopGrace))
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
                return -1;
            }
            _process.WaitForExit(); // drains the output events
            return _process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            return -1; // never started
        }
    }

    public void Dispose()
    {
        Stop();
        _process.Dispose();
    }

    private void OnLine(string? line, Stopwatch clock)
    {
        if (line == null)
        {
            _reports.Writer.TryComplete(); // one of the two streams ended: the process is exiting
            return;
        }
        if (line.StartsWith(Node.Prefix, StringComparison.Ordinal))
        {
            var parts = line[Node.Prefix.Length..].Split(' ', 2);
            if (parts.Length == 2)
            {
                _reports.Writer.TryWrite(new Report(parts[0], parts[1], clock.Elapsed));
                return;
            }
        }
        if (_verbose)
            Console.Error.WriteLine($"[{Name}] {line}");
        lock (_tail)
        {
            _tail.Enqueue(line);
            while (_tail.Count > 15)
                _tail.Dequeue();
        }
    }

    public string Tail()
    {
        lock (_tail)
            return _tail.Count == 0 ? "" : $"\n  last output of {Name}:\n    " + string.Join("\n    ", _tail);
    }
}
