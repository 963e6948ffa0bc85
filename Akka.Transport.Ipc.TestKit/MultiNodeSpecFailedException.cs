namespace Akka.Transport.Ipc.TestKit;

/// <summary>A multi-node run failed; the message names each failure and the failed roles' last output lines.</summary>
public sealed class MultiNodeSpecFailedException : Exception
{
    public MultiNodeSpecFailedException(string message) : base(message)
    {
    }
}
