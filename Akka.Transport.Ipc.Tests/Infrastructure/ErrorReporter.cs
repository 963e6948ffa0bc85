using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Event;

namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>
/// Prints every ERROR event of the node's ActorSystem as a marker line the harness turns into a test failure:
/// <c>UNEXPECTED-ERROR text</c>, or <c>ALLOWED-ERROR text</c> when it matches the pattern the test passed
/// (<c>--allow-errors</c>, for errors it provokes on purpose). An actor reference whose Tell runs on the
/// publishing thread, so it keeps reporting while the system shuts down.
/// </summary>
public sealed class ErrorReporter : MinimalActorRef
{
    /// <summary>
    /// ERROR events Akka.Remote itself logs in normal operation, whatever the transport (dot-netty.tcp does the
    /// same): the endpoint writer of every association that ends, and a remote-deployed actor's reply racing the
    /// shutdown of remoting. Never an IPC transport error.
    /// </summary>
    public static readonly IReadOnlyList<Regex> AkkaBaseline =
    [
        new(@"/endpointWriter\] Disassociated \| Akka\.Remote\.EndpointDisassociatedException: Disassociated", RegexOptions.CultureInvariant),
        new(@"swallowing exception during message send \| Akka\.Remote\.RemoteTransportException: Attempted to send remote message but Remoting is not running", RegexOptions.CultureInvariant),
    ];

    public const string UnexpectedMarker = "UNEXPECTED-ERROR ";
    public const string AllowedMarker = "ALLOWED-ERROR ";
    private readonly Regex? _allowed;
    private int _unexpected;

    private ErrorReporter(ActorSystem system, string allowedPattern)
    {
        Provider = ((ExtendedActorSystem)system).Provider;
        Path = new RootActorPath(Provider.DefaultAddress) / "error-reporter";
        _allowed = allowedPattern.Length == 0 ? null : new Regex(allowedPattern, RegexOptions.CultureInvariant);
    }

    public override ActorPath Path { get; }

    public override IActorRefProvider Provider { get; }

    /// <summary>How many ERROR events no pattern allowed.</summary>
    public int UnexpectedCount => Volatile.Read(ref _unexpected);

    public static ErrorReporter Install(ActorSystem system, string allowedPattern)
    {
        var reporter = new ErrorReporter(system, allowedPattern);
        system.EventStream.Subscribe(reporter, typeof(Error));
        return reporter;
    }

    protected override void TellInternal(object message, IActorRef sender)
    {
        if (message is not Error error)
            return;
        string text = $"[{error.LogSource}] {error.Message}{(error.Cause is { } cause ? " | " + cause : "")}".ReplaceLineEndings(" ");
        if (AkkaBaseline.Any(p => p.IsMatch(text)))
            return;
        bool allowed = _allowed?.IsMatch(text) == true;
        if (!allowed)
            Interlocked.Increment(ref _unexpected);
        lock (Console.Out)
        {
            Console.Out.WriteLine((allowed ? AllowedMarker : UnexpectedMarker) + text);
            Console.Out.Flush();
        }
    }
}
