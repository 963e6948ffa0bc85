namespace Akka.Transport.Ipc.TestKit.Conductor;

/// <summary>
/// Every line of a run, in arrival order, each prefixed with its source (<c>[role]</c> or <c>[conductor]</c>), plus
/// each role's last lines for failure messages. Thread-safe.
/// </summary>
internal sealed class RunOutput
{
    private const int TailLength = 25;
    private readonly List<string> _lines = new();
    private readonly Dictionary<string, Queue<string>> _tails = new();
    private readonly DateTime _start = DateTime.UtcNow;
    private readonly Action<string>? _live;

    public RunOutput(Action<string>? live) => _live = live;

    public void Role(string role, string line)
    {
        string text = $"[{role}] {line}";
        lock (_lines)
        {
            _lines.Add(text);
            if (!_tails.TryGetValue(role, out var tail))
                _tails[role] = tail = new Queue<string>();
            tail.Enqueue(line);
            if (tail.Count > TailLength)
                tail.Dequeue();
        }
        _live?.Invoke(text);
    }

    public void Conductor(string line) =>
        Role("conductor", $"{(DateTime.UtcNow - _start).TotalSeconds,7:F3}s {line}");

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
                return _lines.ToArray();
        }
    }

    public IReadOnlyList<string> TailOf(string role)
    {
        lock (_lines)
            return _tails.TryGetValue(role, out var tail) ? tail.ToArray() : Array.Empty<string>();
    }
}
