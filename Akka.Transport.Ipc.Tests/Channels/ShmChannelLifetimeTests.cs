using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Primitives;
using Akka.Transport.Ipc.Tests.Infrastructure;

namespace Akka.Transport.Ipc.Tests.Channels;

/// <summary>
/// A shared-memory channel closed before Akka registers its listener (corruption, shutdown) still reports the
/// close once the listener comes; a channel handed to a receiver that has stopped is closed at once.
/// </summary>
public sealed class ShmChannelLifetimeTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly IpcTestDirectory _directory = new();
    private readonly ChannelNames _names;
    private readonly NamedSemaphore _ownDoorbell;
    private readonly NamedSemaphore _peerDoorbell;
    private readonly PollLoop _loop = new("ipc-poll-shmlife", _ => { });
    private readonly ShmReceiver _receiver;
    private readonly ShmChannel _channel;

    public ShmChannelLifetimeTests()
    {
        _names = new ChannelNames(_directory.Path);
        _ownDoorbell = NamedSemaphore.Create(_names.Doorbell(1));
        _peerDoorbell = NamedSemaphore.Create(_names.Doorbell(2));
        var segment = ShmSegment.Create(_names.Segment(2, 1), RingLayout.MinCapacity, 65536, clientPort: 2);
        Posix.Unlink(segment.Path); // both mappings hold it from here, as after an accept
        _channel = new ShmChannel(segment, isClient: false, peerPort: 2, NamedSemaphore.TryOpen(_peerDoorbell.Name, out _)!,
            _ownDoorbell, _loop, wireFrameLimit: 65536, sendQueueLimit: 1 << 20, flushTimeout: TimeSpan.FromSeconds(1));
        _receiver = new ShmReceiver(_ownDoorbell, "ipc-rings-test", _ => { });
    }

    [Fact]
    public async Task A_close_before_the_listener_registers_is_reported_when_it_does()
    {
        _receiver.Add(_channel);
        _receiver.Stop("the transport shut down"); // closes the channel; Akka has not registered yet
        Assert.True(await _channel.Completion.CompletesWithin(Timeout));
        var listener = new ChannelEvents();
        _channel.SetListener(listener);
        Assert.Equal("the transport shut down", listener.ClosedReason);
        Assert.True(listener.Abnormal);
        Assert.Equal(1, listener.CloseCount);
    }

    [Fact]
    public async Task A_channel_added_after_the_receiver_stopped_is_closed_at_once_and_reports_it()
    {
        _receiver.Stop("the transport shut down");
        _receiver.Add(_channel);
        Assert.True(await _channel.Completion.CompletesWithin(Timeout), "a channel added after Stop was never serviced nor released");
        var listener = new ChannelEvents();
        _channel.SetListener(listener);
        Assert.Equal("the transport shut down", listener.ClosedReason);
    }

    public void Dispose()
    {
        _receiver.Stop("test over");
        _loop.Dispose();
        _ownDoorbell.Dispose();
        _peerDoorbell.Dispose();
        _directory.AssertEmpty();
        _directory.Dispose();
    }
}
