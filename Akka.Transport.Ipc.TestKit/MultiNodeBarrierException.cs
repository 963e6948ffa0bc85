namespace Akka.Transport.Ipc.TestKit;

/// <summary>
/// A barrier or the start of a run failed: a role never arrived within the barrier time-out, entered another
/// barrier, or failed. The message names the roles.
/// </summary>
public sealed class MultiNodeBarrierException : Exception
{
    public MultiNodeBarrierException(string message) : base(message)
    {
    }
}
