using Akka.Actor;
using Akka.Configuration;
using Akka.Remote.Transport;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Transport;

/// <summary>
/// Akka's GenericTransportSpec checklist, for this transport: the transports are driven through the SPI
/// directly, as Akka.Remote's EndpointManager drives them.
/// </summary>
public abstract class IpcTransportSpec(string mode, ITestOutputHelper output) : TransportTestKit(mode, output)
{
    [Fact]
    public async Task Listen_returns_an_ipc_address_with_the_bound_port_and_a_promise()
    {
        var transport = NewTransport();
        var (address, promise) = await transport.Listen();
        Assert.Equal("ipc", address.Protocol);
        Assert.Equal(Sys.Name, address.System);
        Assert.Equal("localhost", address.Host);
        Assert.InRange(address.Port!.Value, 1, 65535);
        Assert.False(promise.Task.IsCompleted);
        promise.SetResult(new ActorAssociationEventListener(TestActor));
    }

    [Fact]
    public async Task Associate_succeeds_and_the_inbound_handle_names_the_initiator()
    {
        var a = NewTransport();
        var b = NewTransport();
        var addressA = await ListenAsync(a);
        var addressB = await ListenAsync(b);

        var outbound = await a.Associate(addressB).WaitAsync(Timeout);
        var inbound = ExpectMsg<InboundAssociation>(Timeout).Association;

        Assert.Equal(addressA, inbound.RemoteAddress);
        Assert.Equal(addressB, inbound.LocalAddress);
        Assert.Equal(addressB, outbound.RemoteAddress);
        Assert.Equal(addressA, outbound.LocalAddress);
    }

    [Fact]
    public async Task Associating_with_an_address_nobody_listens_on_fails_with_InvalidAssociationException()
    {
        var a = NewTransport();
        var addressA = await ListenAsync(a);
        var nowhere = new Address("ipc", "Nobody", "localhost", addressA.Port == 65535 ? 65534 : addressA.Port!.Value + 1);
        await Assert.ThrowsAsync<InvalidAssociationException>(() => a.Associate(nowhere));
    }

    [Fact]
    public async Task Payloads_arrive_in_order_with_their_content_in_both_directions()
    {
        var (outbound, inbound) = await ConnectedPairAsync();
        var outboundEvents = CreateTestProbe();
        outbound.ReadHandlerSource.SetResult(new ActorHandleEventListener(outboundEvents));
        inbound.ReadHandlerSource.SetResult(new ActorHandleEventListener(TestActor));

        for (int i = 0; i < 1000; i++)
            Assert.True(outbound.Write(Payload(i)));
        for (int i = 0; i < 1000; i++)
            Assert.Equal(Payload(i), ExpectMsg<InboundPayload>(Timeout).Payload);

        Assert.True(inbound.Write(ByteString.CopyFromUtf8("reply")));
        Assert.Equal("reply", outboundEvents.ExpectMsg<InboundPayload>(Timeout).Payload.ToStringUtf8());
    }

    [Fact]
    public async Task Frames_written_before_the_listener_registers_are_held_until_it_does()
    {
        var (outbound, inbound) = await ConnectedPairAsync();
        for (int i = 0; i < 100; i++)
            Assert.True(outbound.Write(Payload(i)));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        inbound.ReadHandlerSource.SetResult(new ActorHandleEventListener(TestActor));
        for (int i = 0; i < 100; i++)
            Assert.Equal(Payload(i), ExpectMsg<InboundPayload>(Timeout).Payload);
    }

    [Fact]
    public async Task Disassociate_is_seen_by_the_peer_after_the_frames_written_before_it()
    {
        var (outbound, inbound) = await ConnectedPairAsync();
        inbound.ReadHandlerSource.SetResult(new ActorHandleEventListener(TestActor));
        outbound.ReadHandlerSource.SetResult(new ActorHandleEventListener(CreateTestProbe()));

        Assert.True(outbound.Write(ByteString.CopyFromUtf8("last words")));
#pragma warning disable CS0618
        outbound.Disassociate();
        outbound.Disassociate(); // may be called any number of times
#pragma warning restore CS0618

        Assert.Equal("last words", ExpectMsg<InboundPayload>(Timeout).Payload.ToStringUtf8());
        ExpectMsg<Disassociated>(Timeout);
        AwaitAssert(() => Assert.False(outbound.Write(ByteString.CopyFromUtf8("after close"))), Timeout);
    }

    [Fact]
    public async Task Shutdown_removes_every_file_and_semaphore_it_created()
    {
        var (outbound, inbound) = await ConnectedPairAsync();
        inbound.ReadHandlerSource.SetResult(new ActorHandleEventListener(TestActor));
        outbound.ReadHandlerSource.SetResult(new ActorHandleEventListener(CreateTestProbe()));
        Assert.True(outbound.Write(ByteString.CopyFromUtf8("x")));
        ExpectMsg<InboundPayload>(Timeout);

        foreach (var transport in Transports)
            Assert.True(await transport.Shutdown().WaitAsync(Timeout));
        IpcDirectory.AssertEmpty();
    }

    [Fact]
    public async Task Shutdown_reports_false_when_the_flush_times_out_against_a_peer_that_does_not_read()
    {
        var (outbound, _) = await ConnectedPairAsync("ring-size = 4KiB\nflush-timeout = 200ms");
        // The inbound side never registers a listener: nothing is read, so past the ring (and pipe) frames queue.
        var frame = ByteString.CopyFrom(new byte[1024]);
        for (int i = 0; i < 4096; i++)
            Assert.True(outbound.Write(frame));

        var shutdown = Transports[0].Shutdown();
        Assert.False(await shutdown.WaitAsync(Timeout), "frames were still queued after flush-timeout and were dropped");
        Assert.True(await Transports[1].Shutdown().WaitAsync(Timeout), "the side that queued nothing dropped nothing");
    }

    [Fact]
    public async Task Shutdown_reports_true_once_everything_queued_was_delivered()
    {
        var (outbound, inbound) = await ConnectedPairAsync("ring-size = 4KiB");
        var listener = new RecordingHandleListener();
        inbound.ReadHandlerSource.SetResult(listener);
        const int Frames = 2000;
        for (int i = 0; i < Frames; i++)
            Assert.True(outbound.Write(Payload(i)));

        Assert.True(await Transports[0].Shutdown().WaitAsync(Timeout));
        Assert.Equal(Frames, listener.PayloadCount);
        int n = 0;
        foreach (var payload in listener.Payloads)
            Assert.Equal(Payload(n++).ToByteArray(), payload);
    }

    /// <summary>
    /// The decided behaviour for a frame over the wire limit (maximum-frame-size plus the envelope headroom), which
    /// EndpointWriter never passes: it is dropped and logged as an ERROR naming the sizes and the peer, Write returns
    /// true (false would make Akka retry a frame that can never fit), and the association carries on.
    /// </summary>
    [Fact]
    public async Task A_frame_over_the_wire_limit_is_dropped_with_an_error_and_the_association_carries_on()
    {
        var (outbound, inbound) = await ConnectedPairAsync();
        int limit = Transports[0].Settings.WireFrameLimit;
        Errors.Allow($"Dropped a {limit + 1}-byte frame to .*: larger than the wire limit of {limit} bytes");
        inbound.ReadHandlerSource.SetResult(new ActorHandleEventListener(TestActor));

        Assert.True(outbound.Write(Payload(1)));
        Assert.True(outbound.Write(ByteString.CopyFrom(new byte[limit + 1])));
        Assert.True(outbound.Write(Payload(2)));
        Assert.True(outbound.Write(ByteString.CopyFrom(new byte[limit])));

        Assert.Equal(Payload(1), ExpectMsg<InboundPayload>(Timeout).Payload);
        Assert.Equal(Payload(2), ExpectMsg<InboundPayload>(Timeout).Payload);
        Assert.Equal(limit, ExpectMsg<InboundPayload>(Timeout).Payload.Length);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // no Disassociated
        await AwaitAssertAsync(() => Assert.Single(Errors.AllowedSeen), Timeout);
    }

    private static ByteString Payload(int i) =>
        ByteString.CopyFrom(Enumerable.Range(0, 1 + i % 300).Select(j => (byte)(i * 7 + j)).ToArray());

    [Fact]
    public async Task Frames_larger_than_the_ring_arrive_whole_and_in_order()
    {
        var (outbound, inbound) = await ConnectedPairAsync("ring-size = 4KiB\nmaximum-frame-size = 1MiB");
        inbound.ReadHandlerSource.SetResult(new ActorHandleEventListener(TestActor));
        var sizes = new[] { 1, 5000, 300_000, 17, 1 << 20, 4096, 0, 65536 };
        foreach (var size in sizes)
            Assert.True(outbound.Write(ByteString.CopyFrom(Enumerable.Range(0, size).Select(i => (byte)(i * 13 + size)).ToArray())));
        foreach (var size in sizes)
        {
            var payload = ExpectMsg<InboundPayload>(Timeout).Payload;
            Assert.Equal(size, payload.Length);
            Assert.True(payload.Span.SequenceEqual(Enumerable.Range(0, size).Select(i => (byte)(i * 13 + size)).ToArray()));
        }
    }

    [Fact]
    public async Task Concurrent_writers_lose_nothing_and_keep_each_writers_order()
    {
        var (outbound, inbound) = await ConnectedPairAsync("ring-size = 16KiB");
        inbound.ReadHandlerSource.SetResult(new ActorHandleEventListener(TestActor));
        const int Writers = 4, PerWriter = 5000;
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
        {
            for (int i = 0; i < PerWriter; i++)
            {
                var bytes = new byte[8 + (i % 700)];
                BitConverter.TryWriteBytes(bytes, w);
                BitConverter.TryWriteBytes(bytes.AsSpan(4), i);
                while (!outbound.Write(ByteString.CopyFrom(bytes)))
                    Thread.Sleep(1); // back-pressure past the queue limit: try later, as EndpointWriter does
            }
        })).ToArray();
        await Task.WhenAll(writers).WaitAsync(Timeout);
        var next = new int[Writers];
        for (int n = 0; n < Writers * PerWriter; n++)
        {
            var payload = ExpectMsg<InboundPayload>(Timeout).Payload.ToByteArray();
            int writer = BitConverter.ToInt32(payload, 0);
            Assert.Equal(next[writer]++, BitConverter.ToInt32(payload, 4));
            Assert.Equal(8 + ((next[writer] - 1) % 700), payload.Length);
        }
        Assert.All(next, count => Assert.Equal(PerWriter, count));
    }

    /// <summary>
    /// Writes go out in batches of 50 × 64 B, each awaited (without allocating) until delivered, so they always fit
    /// the channel: a 1 MiB ring, or a pipe of whatever size the kernel granted (F_SETPIPE_SZ is best effort, and a
    /// pipe can be as small as one 4 KiB page). Over shm every measured Write takes the direct path; over FIFOs the
    /// back-to-back writes of a batch are staged and written together (Channels/FifoBatchingTests counts the calls).
    /// </summary>
    [Fact]
    public async Task Write_allocates_nothing_per_frame()
    {
        const int Batch = 50, WarmUpBatches = 20, MeasuredBatches = 100;
        var (outbound, inbound) = await ConnectedPairAsync();
        int delivered = 0;
        inbound.ReadHandlerSource.SetResult(new RecordingHandleListener(_ => Interlocked.Increment(ref delivered)));
        var result = await WriteAllocation.MeasureAsync(outbound, () => Volatile.Read(ref delivered), Batch, WarmUpBatches, MeasuredBatches);
        Assert.True(result.AllAccepted);
        Assert.Equal(0, result.Allocated);
        Assert.Equal((WarmUpBatches + MeasuredBatches) * Batch, Volatile.Read(ref delivered));
    }

}

/// <summary>The transport spec over shared memory.</summary>
public sealed class ShmTransportSpec(ITestOutputHelper output) : IpcTransportSpec("shm", output);

/// <summary>The transport spec over FIFOs.</summary>
public sealed class FifoTransportSpec(ITestOutputHelper output) : IpcTransportSpec("fifo", output);
