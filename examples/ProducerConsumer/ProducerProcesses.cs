using System.Diagnostics;

namespace ProducerConsumer;

/// <summary>
/// The consumer's child processes. Dispose kills whatever still runs (whole process trees) and waits for it, so a
/// failed or timed-out run leaves nothing behind.
/// </summary>
internal sealed class ProducerProcesses : IDisposable
{
    private readonly List<Process> _processes = [];

    /// <summary>Starts this same program once per producer, pointed at the consumer's address.</summary>
    public static ProducerProcesses Start(Options options, string consumerAddress)
    {
        var started = new ProducerProcesses();
        try
        {
            for (int id = 0; id < options.Producers; id++)
                started._processes.Add(StartOne(options, consumerAddress, id));
            return started;
        }
        catch
        {
            started.Dispose();
            throw;
        }
    }

    private static Process StartOne(Options options, string consumerAddress, int id)
    {
        string self = Environment.ProcessPath!;
        // Stdin is a pipe the producer reads until EOF: if this process dies, the producer notices and exits.
        var start = new ProcessStartInfo(self)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            start.ArgumentList.Add(typeof(ProducerProcesses).Assembly.Location);
        foreach (var arg in new[]
                 {
                     "--role", "producer", "--consumer", consumerAddress, "--id", id.ToString(), "--mode", options.Mode,
                     "--messages", options.Messages.ToString(), "--size", options.Size.ToString(),
                     "--directory", options.Directory, "--parent-stdin", "true",
                 })
            start.ArgumentList.Add(arg);
        var process = new Process { StartInfo = start };
        // Anything a producer prints (Akka warnings, its failure reason) is passed on, labelled.
        DataReceivedEventHandler forward = (_, e) =>
        {
            if (e.Data != null)
                Console.Error.WriteLine($"[producer {id}] {e.Data}");
        };
        process.OutputDataReceived += forward;
        process.ErrorDataReceived += forward;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>The first producer that exited before delivering all its messages, as a reason; null if none.</summary>
    public string? EarlyExit(Tally tally, int messages)
    {
        for (int id = 0; id < _processes.Count; id++)
            if (_processes[id].HasExited && tally.Received(id) < messages)
                return $"producer {id} exited with code {_processes[id].ExitCode} after {tally.Received(id)} of {messages} messages";
        return null;
    }

    /// <summary>Waits for every producer to exit by itself; the reason it failed, or null if all exited 0.</summary>
    public string? WaitForExit(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        for (int id = 0; id < _processes.Count; id++)
        {
            var left = timeout - deadline.Elapsed;
            if (!_processes[id].WaitForExit(left > TimeSpan.Zero ? left : TimeSpan.Zero))
                return $"producer {id} did not exit within {timeout.TotalSeconds:F0} s of its last acknowledgement";
        }
        for (int id = 0; id < _processes.Count; id++)
            if (_processes[id].ExitCode != 0)
                return $"producer {id} exited with code {_processes[id].ExitCode}";
        return null;
    }

    /// <summary>
    /// Stops whatever still runs: first by closing its stdin, so it terminates its ActorSystem and removes its IPC files;
    /// then, after a grace period, by killing the whole process tree. Always waits for every process.
    /// </summary>
    public void Dispose()
    {
        foreach (var process in _processes)
            Try(() => process.StandardInput.Close());
        var grace = Stopwatch.StartNew();
        foreach (var process in _processes)
        {
            Try(() =>
            {
                var left = StopGrace - grace.Elapsed;
                if (!process.WaitForExit(left > TimeSpan.Zero ? left : TimeSpan.Zero))
                    process.Kill(entireProcessTree: true);
                process.WaitForExit(); // also drains the forwarded output
            });
            process.Dispose();
        }
        _processes.Clear();
    }

    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    private static void Try(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is InvalidOperationException or IOException) { } // never started, or already gone
    }
}
