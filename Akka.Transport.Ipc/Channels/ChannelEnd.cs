namespace Akka.Transport.Ipc.Channels;

/// <summary>Why a channel ended, in categories an operator can count (the reason text says the rest).</summary>
internal enum ChannelEnd
{
    /// <summary>This side closed it (Akka disassociated), after flushing.</summary>
    ClosedHere,
    /// <summary>The peer closed it in order.</summary>
    ClosedByPeer,
    /// <summary>The peer's process exited or was killed (its FIFO ends or life FIFO hung up).</summary>
    PeerExited,
    /// <summary>The peer refused the connection (mode, ring-size, frame limit, shutting down).</summary>
    Refused,
    /// <summary>The peer broke the protocol: a corrupt ring or a malformed frame.</summary>
    Corrupt,
    /// <summary>This transport shut down with the channel still open.</summary>
    ShutDown,
    /// <summary>An unexpected error of this side (a bug or a failing system call).</summary>
    Failed,
}

/// <summary>Names for <see cref="ChannelEnd"/> in logs and metric tags.</summary>
internal static class ChannelEnds
{
    /// <summary>Lowercase, dashed: the value of the <c>ipc.end</c> metric tag.</summary>
    public static string Tag(this ChannelEnd end) => end switch
    {
        ChannelEnd.ClosedHere => "closed-here",
        ChannelEnd.ClosedByPeer => "closed-by-peer",
        ChannelEnd.PeerExited => "peer-exited",
        ChannelEnd.Refused => "refused",
        ChannelEnd.Corrupt => "corrupt",
        ChannelEnd.ShutDown => "shut-down",
        _ => "failed",
    };

    /// <summary>Orderly ends are logged at DEBUG; the others are worth a warning.</summary>
    public static bool IsAbnormal(this ChannelEnd end) => end is not (ChannelEnd.ClosedHere or ChannelEnd.ClosedByPeer);
}
