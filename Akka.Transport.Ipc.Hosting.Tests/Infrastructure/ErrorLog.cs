using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Event;
using Xunit.Sdk;

namespace Akka.Transport.Ipc.Hosting.Tests.Infrastructure;

/// <summary>
/// Collects every ERROR event an ActorSystem publishes, so the test that caused it fails (Akka.Remote's own ERROR on
/// an ended association excepted). An actor reference whose Tell runs on the publishing thread, not an actor: it
/// keeps collecting while the system terminates.
/// </summary>
public sealed class ErrorLog : MinimalActorRef
{
    private static readonly Regex[] AkkaBaseline =
    [
        new(@"endpointWriter\] Disassociated", RegexOptions.CultureInvariant),
        new(@"Attempted to send remote message but Remoting is not running", RegexOptions.CultureInvariant),
    ];

    private readonly List<string> _unexpected = [];

    private ErrorLog(ActorSystem system)
    {
        Provider = ((ExtendedActorSystem)system).Provider;
        Path = new RootActorPath(Provider.DefaultAddress) / "error-log" / Guid.NewGuid().ToString("N");
    }

    public override ActorPath Path { get; }

    public override IActorRefProvider Provider { get; }

    public static ErrorLog Install(ActorSystem system)
    {
        var log = new ErrorLog(system);
        system.EventStream.Subscribe(log, typeof(Error));
        return log;
    }

    public void AssertNoUnexpectedErrors()
    {
        lock (_unexpected)
            if (_unexpected.Count > 0)
                throw new XunitException($"{_unexpected.Count} unexpected ERROR log event(s):{Environment.NewLine}{string.Join(Environment.NewLine, _unexpected)}");
    }

    protected override void TellInternal(object message, IActorRef sender)
    {
        if (message is not Error error)
            return;
        string text = $"[{error.LogSource}] {error.Message} | {error.Cause}";
        if (AkkaBaseline.Any(p => p.IsMatch(text)))
            return;
        lock (_unexpected)
            _unexpected.Add(text);
    }
}
