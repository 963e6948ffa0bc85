using Akka.Actor;

namespace Akka.Transport.Ipc.Tests.NodeHost;

/// <summary>Replies the id of the OS process it runs in; proves where a remote deployment landed.</summary>
public sealed class WhereAmI : ReceiveActor
{
    public WhereAmI() => ReceiveAny(_ => Sender.Tell(Environment.ProcessId));
}
