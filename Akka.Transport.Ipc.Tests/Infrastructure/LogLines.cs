using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;

namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>
/// Records the log events of the given levels an ActorSystem publishes, as "LEVEL message" lines, for tests that
/// assert what was logged. Like <see cref="ErrorLogCollector"/> an actor reference, not an actor: it keeps
/// recording while the system shuts down (remoting logs its shutdown after user actors stopped).
/// </summary>
public sealed class LogLines : MinimalActorRef
{
    private readonly ConcurrentQueue<string> _lines = new();

    private LogLines(ActorSystem system)
    {
        Provider = ((ExtendedActorSystem)system).Provider;
        Path = new RootActorPath(Provider.DefaultAddress) / "log-lines" / Guid.NewGuid().ToString("N");
    }

    /// <inheritdoc />
    public override ActorPath Path { get; }

    /// <inheritdoc />
    public override IActorRefProvider Provider { get; }

    /// <summary>Every recorded line so far, in publication order.</summary>
    public IReadOnlyList<string> Lines => _lines.ToArray();

    /// <summary>Subscribes to <paramref name="levels"/> (e.g. typeof(Warning)) of <paramref name="system"/>.</summary>
    public static LogLines Install(ActorSystem system, params Type[] levels)
    {
        var lines = new LogLines(system);
        foreach (var level in levels)
            system.EventStream.Subscribe(lines, level);
        return lines;
    }

    /// <inheritdoc />
    protected override void TellInternal(object message, IActorRef sender)
    {
        if (message is LogEvent e)
            _lines.Enqueue($"{e.LogLevel().ToString().Replace("Level", "").ToUpperInvariant()} {e.Message}");
    }
}
