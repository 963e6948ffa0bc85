namespace Akka.Transport.Ipc.Primitives;

/// <summary>
/// Spin → yield → block, after Agrona's BackoffIdleStrategy. Spinning is kept short: on a machine with few
/// cores a spinning reader steals the very core its peer needs, so the block phase comes within microseconds.
/// </summary>
internal struct IdleStrategy
{
    /// <summary>Empty polls spent spinning (each a few hundred nanoseconds) before yielding.</summary>
    public const int SpinPolls = 64;

    /// <summary>Empty polls spent yielding the core before blocking.</summary>
    public const int YieldPolls = 16;

    private int _idlePolls;

    /// <summary>Call after a poll that found work.</summary>
    public void Reset() => _idlePolls = 0;

    /// <summary>Call after a poll that found nothing; returns true when it is time to block.</summary>
    public bool Idle()
    {
        int polls = ++_idlePolls;
        if (polls <= SpinPolls)
        {
            Thread.SpinWait(32);
            return false;
        }
        if (polls <= SpinPolls + YieldPolls)
        {
            Thread.Yield();
            return false;
        }
        return true;
    }
}
