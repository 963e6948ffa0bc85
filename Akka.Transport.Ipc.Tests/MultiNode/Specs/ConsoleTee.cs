using System.Text;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

/// <summary>
/// Copies everything this process writes to standard output into a file as well (flushed line by line), and keeps
/// the lines in memory: the soak actors report by printing lines, as in the NodeHost children they came from; the
/// role reads its own lines, and another role reads a killed role's file after the kill (a written line is in the
/// file once the write returned, SIGKILL or not).
/// </summary>
internal sealed class ConsoleTee : TextWriter
{
    private readonly TextWriter _console;
    private readonly StreamWriter _file;
    private readonly List<string> _lines = new();
    private readonly StringBuilder _partial = new();

    private ConsoleTee(TextWriter console, string path)
    {
        _console = console;
        _file = new StreamWriter(path, append: false) { AutoFlush = true };
    }

    /// <inheritdoc />
    public override Encoding Encoding => _console.Encoding;

    /// <summary>Every complete line written since <see cref="Start"/>.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
                return _lines.ToArray();
        }
    }

    /// <summary>Redirects this process's standard output through a tee into <paramref name="path"/>.</summary>
    public static ConsoleTee Start(string path)
    {
        var tee = new ConsoleTee(Console.Out, path);
        Console.SetOut(TextWriter.Synchronized(tee));
        return tee;
    }

    /// <inheritdoc />
    public override void Write(char value)
    {
        _console.Write(value);
        lock (_lines)
        {
            _file.Write(value);
            if (value == '\n')
            {
                _lines.Add(_partial.ToString().TrimEnd('\r'));
                _partial.Clear();
            }
            else
            {
                _partial.Append(value);
            }
        }
    }

    /// <inheritdoc />
    public override void Write(string? value)
    {
        foreach (char c in value ?? "")
            Write(c);
    }

    /// <inheritdoc />
    public override void WriteLine(string? value)
    {
        Write(value);
        Write('\n');
    }

    /// <inheritdoc />
    public override void Flush()
    {
        _console.Flush();
        _file.Flush();
    }
}
