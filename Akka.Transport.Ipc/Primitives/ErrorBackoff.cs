namespace Akka.Transport.Ipc.Primitives;

/// <summary>
/// What a service thread does when an iteration fails: it waits before retrying (1 ms, doubling up to 1 s, back to
/// the start after a success) and reports each distinct error at most once a second, so an error that persists
/// costs neither a core nor a flood of log lines. <see cref="Failed"/> and <see cref="Succeeded"/> by the
/// service thread only; <see cref="Report"/> and <see cref="Cancel"/> from any thread.
/// </summary>
internal sealed class ErrorBackoff
{
    private const int FirstDelayMilliseconds = 1;
    private const int MaxDelayMilliseconds = 1000;
    private const long ReportIntervalMilliseconds = 1000;
    private const int RememberedErrors = 32;

    private readonly Action<Exception> _report;
    private readonly ManualResetEventSlim _cancelled = new();
    private readonly Dictionary<string, long> _lastReported = new();
    private int _delay = FirstDelayMilliseconds;

    public ErrorBackoff(Action<Exception> report) => _report = report;

    /// <summary>An iteration succeeded: the next failure starts from the shortest delay again.</summary>
    public void Succeeded() => _delay = FirstDelayMilliseconds;

    /// <summary>A whole iteration failed: reports <paramref name="error"/> (see <see cref="Report"/>), then waits.</summary>
    public void Failed(Exception error)
    {
        Report(error);
        _cancelled.Wait(_delay);
        _delay = Math.Min(_delay * 2, MaxDelayMilliseconds);
    }

    /// <summary>Reports <paramref name="error"/> unless the same error was reported less than a second ago.</summary>
    public void Report(Exception error)
    {
        string key = error.GetType().FullName + ": " + error.Message;
        long now = Environment.TickCount64;
        lock (_lastReported) // a stopped loop's last releases may report from another thread
        {
            if (_lastReported.TryGetValue(key, out long last) && now - last < ReportIntervalMilliseconds)
                return;
            if (_lastReported.Count >= RememberedErrors)
                _lastReported.Clear();
            _lastReported[key] = now;
        }
        _report(error);
    }

    /// <summary>Ends any wait at once (the thread is stopping).</summary>
    public void Cancel() => _cancelled.Set();
}
