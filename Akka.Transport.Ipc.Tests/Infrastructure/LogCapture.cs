using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;

namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>
/// Collects every log event an ActorSystem publishes on its event stream (what its loggers print), so a test can
/// assert what a user would read. Attach it right after the system starts; events before that are not seen.
/// </summary>
public sealed class LogCapture
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    private LogCapture()
    {
    }

    /// <summary>Subscribes a collector to <paramref name="system"/>'s log events (at the system's log level).</summary>
    public static LogCapture Attach(ActorSystem system)
    {
        var capture = new LogCapture();
        var collector = system.ActorOf(Props.Create(() => new Collector(capture._events)));
        system.EventStream.Subscribe(collector, typeof(LogEvent));
        return capture;
    }

    public IReadOnlyList<LogEvent> Events => _events.ToArray();

    /// <summary>The first event that matches, waiting up to <paramref name="timeout"/>; null when none came.</summary>
    public async Task<LogEvent?> WaitForAsync(Func<LogEvent, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var found = _events.FirstOrDefault(match);
            if (found != null || DateTime.UtcNow > deadline)
                return found;
            await Task.Delay(20);
        }
    }

    private sealed class Collector : ReceiveActor
    {
        public Collector(ConcurrentQueue<LogEvent> events) => Receive<LogEvent>(events.Enqueue);
    }
}
