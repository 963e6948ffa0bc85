using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

/// <summary>
/// A logger (<c>akka.loggers</c>) that keeps every log line of this process's ActorSystems in a process-wide list.
/// Loggers start before remoting, so unlike a subscription made once the spec runs it also holds what the transport
/// logs while the role's system starts (a role checking its own start-up warnings; the harness read them from the
/// child's output).
/// </summary>
public sealed class RecordedLog : ReceiveActor
{
    private static readonly ConcurrentQueue<string> Recorded = new();

    public RecordedLog()
    {
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e => Recorded.Enqueue($"{e.LogLevel().ToString().Replace("Level", "").ToUpperInvariant()} [{e.LogSource}] {e.Message}"));
    }

    /// <summary>Every line recorded so far, in order: "LEVEL [source] message".</summary>
    public static IReadOnlyList<string> Lines => Recorded.ToArray();

    /// <summary>Configuration adding this logger to Akka.TestKit's (which a role's output needs).</summary>
    public static Config Config => ConfigurationFactory.ParseString($$"""
        akka.loggers = ["Akka.TestKit.TestEventListener, Akka.TestKit", "{{typeof(RecordedLog).AssemblyQualifiedName}}"]
        """);
}
