using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>
/// One shared-memory receiver thread as a transport runs it, in a private IPC directory: its doorbell (port 1), the
/// peers' doorbell (port 2), a poll loop, and accepted channels whose peer sides a test writes (<see cref="Connect"/>).
/// Real segments and named semaphores. Dispose stops the receiver first (it closes the channels and unmaps the
/// segments), then releases the rest and asserts that nothing is left in the directory or /dev/shm.
/// </summary>
internal sealed class ShmReceiverRig : IDisposable
{
    private readonly IpcTestDirectory _directory = new();
    private readonly List<IDisposable> _owned = new();
    private int _segments;

    /// <param name="threadName">The receiver thread's name (at most 15 characters to be found in /proc).</param>
    /// <param name="onError">Hears the receiver's unexpected errors.</param>
    /// <param name="pollTime">receiver-poll-time.</param>
    /// <param name="roundFault">Runs at the start of every round (see <see cref="ShmReceiver"/>).</param>
    /// <param name="profile">receiver-profile: the receiver's CPU by phase, or null.</param>
    public ShmReceiverRig(string threadName, Action<Exception> onError, TimeSpan pollTime = default, Action? roundFault = null,
        ReceiverProfile? profile = null)
    {
        Names = new ChannelNames(_directory.Path);
        Doorbell = Own(NamedSemaphore.Create(Names.Doorbell(1)));
        PeerDoorbell = Own(NamedSemaphore.Create(Names.Doorbell(2)));
        Loop = Own(new PollLoop(threadName.Replace("rings", "poll"), _ => { }));
        Receiver = new ShmReceiver(Doorbell, threadName, onError, pollTime, profile, roundFault);
    }

    public ChannelNames Names { get; }

    /// <summary>The receiver's doorbell: peers post it when it asked (asleep, or their channel parked).</summary>
    public NamedSemaphore Doorbell { get; }

    public NamedSemaphore PeerDoorbell { get; }

    public PollLoop Loop { get; }

    public ShmReceiver Receiver { get; }

    /// <summary>A new accepted channel with a listener, handed to the receiver; the peer writes its client ring.</summary>
    public ShmPeer Connect() => ShmPeer.Connect(Names, ++_segments, Receiver, Doorbell, PeerDoorbell, Loop);

    private T Own<T>(T disposable) where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    public void Dispose()
    {
        Receiver.Stop("test over");
        foreach (var disposable in _owned)
            disposable.Dispose();
        _directory.AssertEmpty();
        _directory.Dispose();
    }
}
