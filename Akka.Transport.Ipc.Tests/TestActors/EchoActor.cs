using Akka.Actor;

namespace Akka.Transport.Ipc.Tests.TestActors;

/// <summary>Replies every message unchanged to its sender.</summary>
public sealed class EchoActor : ReceiveActor
{
    public EchoActor() => ReceiveAny(message => Sender.Tell(message));
}
