using Akka.Remote.Transport;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Primitives;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Reliability;

/// <summary>
/// A peer scribbles random bytes over a live segment (header, ring positions, record lengths and types,
/// payloads), 10 000 times over many associations. The listener never crashes, never reads or writes outside a
/// mapping (that would kill the test host) and never spins: each damaged association ends with a reason, and a
/// healthy association on the same transport keeps delivering everything in order.
/// </summary>
public sealed class CorruptionTests(ITestOutputHelper output) : TransportTestKit("shm", output)
{
    private const int Corruptions = 10_000;
    private const int RingSize = 4096;

    [Fact]
    public async Task Random_bytes_in_live_segments_end_those_associations_and_harm_no_other()
    {
        var server = NewTransport($"ring-size = {RingSize}");
        var serverAddress = await ListenAsync(server);
        int serverPort = serverAddress.Port!.Value;

        var healthyClient = NewTransport($"ring-size = {RingSize}");
        await ListenAsync(healthyClient, CreateTestProbe());
        var healthy = await healthyClient.Associate(serverAddress).WaitAsync(Timeout);
        var healthyInbound = ExpectMsg<InboundAssociation>(Timeout).Association;
        int healthyNext = 0, healthyBad = 0;
        healthyInbound.ReadHandlerSource.SetResult(new RecordingHandleListener(p =>
        {
            if (BitConverter.ToInt32(p) != healthyNext++) healthyBad++;
        }));
        int healthySent = 0;

        var random = new Random(20261124);
        using var peer = new HostilePeer(IpcDirectory.Path);
        int corruptions = 0, associations = 0, endedWithReason = 0;
        while (corruptions < Corruptions)
        {
            associations++;
            var segment = peer.Offer(serverPort, RingSize, server.Settings.WireFrameLimit, Timeout);
            var inbound = ExpectMsg<InboundAssociation>(Timeout).Association;
            var listener = new RecordingHandleListener();
            inbound.ReadHandlerSource.SetResult(listener);
            var writer = ClientWriter(segment);
            long length = SegmentLayout.TotalLength(RingSize);
            bool ended = false;
            for (int round = 0; round < 200 && !ended; round++)
            {
                try
                {
                    int written = 0;
                    writer.TryWrite(new byte[random.Next(1, 1200)], ref written);
                }
                catch (RingCorruptedException)
                {
                    // Our own writer noticed the damage (a scribbled consumer position): stop feeding this one.
                }
                inbound.Write(ByteString.CopyFrom(new byte[random.Next(1, 600)])); // the listener writes too
                for (int hits = random.Next(1, 4); hits > 0; hits--, corruptions++)
                    Scribble(segment, random.NextInt64(length), (byte)random.Next(256));
                peer.Ring(serverPort);
                // Not the header's closed flag: that is one of the bytes being scribbled on.
                ended = listener.Disassociated.Wait(TimeSpan.FromMilliseconds(round % 16 == 0 ? 5 : 0));
                healthy.Write(ByteString.CopyFrom(BitConverter.GetBytes(healthySent++)));
            }
            if (!ended)
            {
                // Survived 200 rounds of damage: close it properly and move on.
                segment.WriteVolatile(SegmentLayout.ClientClosedOffset, 1);
                peer.Ring(serverPort);
            }
            await listener.Disassociated.WaitAsync(Timeout); // every association ends, damaged or not
            if (ended)
                endedWithReason++;
            segment.Dispose();
        }

        await AwaitAssertAsync(() => Assert.Equal(healthySent, healthyNext), Timeout);
        Assert.Equal(0, healthyBad);
        Assert.True(endedWithReason > 0, "no association was ended by the listener");
        Output?.WriteLine($"{corruptions} corruptions over {associations} associations; the listener ended {endedWithReason} of them itself; " +
            $"{healthySent} frames on the healthy association arrived in order");
    }

    private static unsafe RingWriter ClientWriter(ShmSegment segment) => new(segment.ClientToServerRing, RingSize);

    private static unsafe void Scribble(ShmSegment segment, long offset, byte value) => segment.Base[offset] = value;
}
