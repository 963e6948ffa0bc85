using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Event;
using Xunit.Sdk;

namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>
/// Collects every ERROR event an ActorSystem publishes (the transport's "IPC transport thread failed", a dropped
/// frame, Akka's own errors) so the test that caused it fails, except errors the test provokes on purpose and
/// allows by pattern (and Akka.Remote's own ERROR noise, <see cref="ErrorReporter.AkkaBaseline"/>). It is an actor reference whose <c>Tell</c> runs on the publishing thread, not an actor: it
/// keeps collecting while the system terminates, after every actor has stopped.
/// </summary>
public sealed class ErrorLogCollector : MinimalActorRef
{
    private readonly List<Regex> _allowed = new();
    private readonly List<string> _unexpected = new();
    private readonly List<string> _allowedSeen = new();

    private ErrorLogCollector(ActorSystem system)
    {
        Provider = ((ExtendedActorSystem)system).Provider;
        Path = new RootActorPath(Provider.DefaultAddress) / "error-log-collector" / Guid.NewGuid().ToString("N");
    }

    /// <inheritdoc />
    public override ActorPath Path { get; }

    /// <inheritdoc />
    public override IActorRefProvider Provider { get; }

    /// <summary>Subscribes a collector to <paramref name="system"/>'s ERROR events.</summary>
    public static ErrorLogCollector Install(ActorSystem system)
    {
        var collector = new ErrorLogCollector(system);
        system.EventStream.Subscribe(collector, typeof(Error));
        return collector;
    }

    /// <summary>
    /// Allows ERROR events whose text (source, message and cause) matches <paramref name="pattern"/>: the test
    /// provokes them on purpose. Keep patterns narrow.
    /// </summary>
    public void Allow(string pattern)
    {
        lock (_allowed)
            _allowed.Add(new Regex(pattern, RegexOptions.CultureInvariant));
    }

    /// <summary>Allowed errors seen so far (for tests that require their provoked error to be logged).</summary>
    public IReadOnlyList<string> AllowedSeen
    {
        get
        {
            lock (_allowed)
                return _allowedSeen.ToArray();
        }
    }

    /// <summary>Errors no pattern allows, seen so far.</summary>
    public IReadOnlyList<string> Unexpected
    {
        get
        {
            lock (_allowed)
                return _unexpected.ToArray();
        }
    }

    /// <summary>Throws, listing every unexpected ERROR event, if there was any.</summary>
    public void AssertNoUnexpectedErrors()
    {
        var unexpected = Unexpected;
        if (unexpected.Count > 0)
        {
            throw new XunitException(
                $"{unexpected.Count} unexpected ERROR log event(s) in the test process:"
                + Environment.NewLine + string.Join(Environment.NewLine, unexpected.Select(e => "  " + e)));
        }
    }

    /// <inheritdoc />
    protected override void TellInternal(object message, IActorRef sender)
    {
        if (message is not Error error)
            return;
        string text = $"[{error.LogSource}] {error.Message}{(error.Cause is { } cause ? " | " + cause : "")}";
        if (ErrorReporter.AkkaBaseline.Any(p => p.IsMatch(text)))
            return; // Akka.Remote's own noise on every ended association; see the list
        lock (_allowed)
        {
            if (_allowed.Any(p => p.IsMatch(text)))
                _allowedSeen.Add(text);
            else
                _unexpected.Add(text);
        }
    }
}
