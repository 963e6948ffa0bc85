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
/// mapping (that would kill the test host) and never spins: each association the listener ends is ended for a
/// reason it logs — the ring is corrupt — (or silently, as an orderly close, when the damage hit the client's
/// closed flag), every other one still ends cleanly when its client closes it, and a healthy association on the
/// same transport keeps delivering everything in order and is never ended.
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
        var healthyListener = new RecordingHandleListener(p =>
        {
            if (BitConverter.ToInt32(p) != healthyNext++) healthyBad++;
        });
        healthyInbound.ReadHandlerSource.SetResult(healthyListener);
        int healthySent = 0;

        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(warnings, typeof(Akka.Event.Warning));
        var random = new Random(20261124);
        using var peer = new HostilePeer(IpcDirectory.Path);
        string hostile = $"Hostile@localhost:{peer.Port}";
        int corruptions = 0, associations = 0, endedAsCorrupt = 0, endedByFlag = 0;
        while (corruptions < Corruptions)
        {
            associations++;
            bool hitClosedFlag = false;
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
                {
                    long offset = random.NextInt64(length);
                    hitClosedFlag |= offset is >= SegmentLayout.ClientClosedOffset and < SegmentLayout.ClientClosedOffset + 4;
                    Scribble(segment, offset, (byte)random.Next(256));
                }
                peer.Ring(serverPort);
                // Not the header's closed flag: that is one of the bytes being scribbled on.
                ended = await listener.Disassociated.CompletesWithin(TimeSpan.FromMilliseconds(round % 16 == 0 ? 5 : 0));
                healthy.Write(ByteString.CopyFrom(BitConverter.GetBytes(healthySent++)));
            }
            if (!ended)
            {
                // Survived 200 rounds of damage: close it properly and move on.
                segment.WriteVolatile(SegmentLayout.ClientClosedOffset, 1);
                peer.Ring(serverPort);
            }
            await listener.Disassociated.WaitAsync(Timeout); // every association ends, damaged or not
            // The handle logs why before it reports Disassociated, so the warning is already queued.
            var reasons = warnings.ReceiveWhile(TimeSpan.FromMilliseconds(50), w => ((Akka.Event.Warning)w).Message.ToString()!)
                .Where(m => m.Contains(hostile, StringComparison.Ordinal))
                .Select(m => m[(m.IndexOf(" ended: ", StringComparison.Ordinal) + " ended: ".Length)..])
                .ToList();
            Assert.True(reasons.Count <= 1, $"association {associations} ended more than once: {string.Join(" | ", reasons)}");
            if (reasons.Count == 1)
            {
                Assert.StartsWith("Shared-memory ring is corrupt: ", reasons[0]);
                endedAsCorrupt++;
            }
            else if (ended)
            {
                // Ended by the listener without a warning: only an orderly close, read from the damaged closed flag.
                Assert.True(hitClosedFlag, $"association {associations} was ended by the listener without a logged reason");
                endedByFlag++;
            }
            segment.Dispose();
        }

        await AwaitAssertAsync(() => Assert.Equal(healthySent, healthyNext), Timeout);
        Assert.Equal(0, healthyBad);
        Assert.False(healthyListener.Disassociated.IsCompleted, "the healthy association was ended");
        Assert.True(endedAsCorrupt >= associations * 3 / 4, $"only {endedAsCorrupt} of {associations} associations ended as corrupt");
        Output?.WriteLine($"{corruptions} corruptions over {associations} associations; {endedAsCorrupt} ended as corrupt, {endedByFlag} by a " +
            $"scribbled closed flag, the rest closed by their client; {healthySent} frames on the healthy association arrived in order");
    }

    private static unsafe RingWriter ClientWriter(ShmSegment segment) => new(segment.ClientToServerRing, RingSize);

    private static unsafe void Scribble(ShmSegment segment, long offset, byte value) => segment.Base[offset] = value;
}
