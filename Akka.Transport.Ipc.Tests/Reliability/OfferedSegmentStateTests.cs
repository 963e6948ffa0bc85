using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Primitives;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Reliability;

/// <summary>
/// A segment offered by a peer must be in its initial state: ring positions (head, tail) and flags zero, state
/// Offered, no side closed, no server yet. Anything else (a buggy or hostile peer, a reused file) is refused before
/// the listener trusts a position in it: a forged tail would otherwise make it read records that were never written.
/// </summary>
public sealed class OfferedSegmentStateTests(ITestOutputHelper output) : TransportTestKit("shm", output)
{
    private const int Ring = 4096;

    public static TheoryData<string, long, int, string> Fields()
    {
        long c2s = SegmentLayout.ClientToServerRing;
        long s2c = SegmentLayout.ServerToClientRing(Ring);
        return new TheoryData<string, long, int, string>
        {
            { "c2s tail", c2s + RingLayout.TailOffset, 8, "client-to-server ring tail is 64" },
            { "c2s head", c2s + RingLayout.HeadOffset, 8, "client-to-server ring head is 64" },
            { "s2c tail", s2c + RingLayout.TailOffset, 8, "server-to-client ring tail is 64" },
            { "s2c head", s2c + RingLayout.HeadOffset, 8, "server-to-client ring head is 64" },
            { "c2s consumerAsleep", c2s + RingLayout.ConsumerAsleepOffset, 4, "client-to-server ring consumerAsleep flag is 64" },
            { "s2c producerWaiting", s2c + RingLayout.ProducerWaitingOffset, 4, "server-to-client ring producerWaiting flag is 64" },
            { "state", SegmentLayout.StateOffset, 4, "state is 64" },
            { "clientClosed", SegmentLayout.ClientClosedOffset, 4, "clientClosed is 64" },
            { "serverClosed", SegmentLayout.ServerClosedOffset, 4, "serverClosed is 64" },
            { "serverPid", SegmentLayout.ServerPidOffset, 4, "serverPid is 64" },
        };
    }

    [Theory]
    [MemberData(nameof(Fields))]
    public void A_segment_whose_positions_flags_or_state_are_not_initial_is_refused(string field, long offset, int width, string expected)
    {
        string path = new ChannelNames(IpcDirectory.Path).Segment(7, 1);
        ShmSegment.Create(path, Ring, 128000, 7).Dispose();
        try
        {
            using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
            {
                file.Position = offset;
                file.Write(BitConverter.GetBytes(64L).AsSpan(0, width));
            }
            var error = Assert.Throws<InvalidDataException>(() => ShmSegment.Open(path, 7).Dispose());
            Output?.WriteLine($"{field}: {error.Message}");
            Assert.Contains(expected, error.Message);
            Assert.Contains(path, error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_fresh_segment_is_accepted()
    {
        string path = new ChannelNames(IpcDirectory.Path).Segment(7, 1);
        ShmSegment.Create(path, Ring, 128000, 7).Dispose();
        try
        {
            using var segment = ShmSegment.Open(path, 7);
            Assert.Equal(Ring, segment.RingCapacity);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task The_listener_refuses_an_offer_with_a_forged_tail_and_logs_why()
    {
        var server = NewTransport($"ring-size = {Ring}");
        int port = (await ListenAsync(server)).Port!.Value;
        using var peer = new HostilePeer(IpcDirectory.Path);

        EventFilter.Warning(contains: "client-to-server ring tail is 64, expected 0").ExpectOne(() =>
            Assert.Throws<TimeoutException>(() => peer.Offer(port, Ring, server.Settings.WireFrameLimit, TimeSpan.FromSeconds(3),
                beforeRequest: path =>
                {
                    using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
                    file.Position = SegmentLayout.ClientToServerRing + RingLayout.TailOffset;
                    file.Write(BitConverter.GetBytes(64L));
                })));
        ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // no InboundAssociation
    }
}
