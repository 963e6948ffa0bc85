using System.Diagnostics;
using Akka.Remote.Transport;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Reliability;

/// <summary>
/// A peer that dies in the middle of the rendezvous is noticed at once, on either side, instead of leaving an
/// association that never ends or a connect that waits the whole connection-timeout.
/// </summary>
public sealed class DeadPeerRendezvousTests(ITestOutputHelper output) : TransportTestKit("auto", output)
{
    [Fact]
    public async Task A_request_from_an_endpoint_that_died_before_the_accept_is_refused()
    {
        var server = NewTransport("ring-size = 4KiB");
        int serverPort = (await ListenAsync(server)).Port!.Value;
        using var dead = new ForgedEndpoint(IpcDirectory.Path);
        var segment = ShmSegment.Create(dead.Names.Segment(dead.Port, 1), 4096, server.Settings.WireFrameLimit, dead.Port);
        try
        {
            ForgedEndpoint.SendRequest(dead.Names, serverPort,
                new ConnectRequest(dead.Port, 1, 1, ChannelMode.Shm, "Dead", "localhost", dead.Names.ShmDirectory,
                    4096, server.Settings.WireFrameLimit));
            var deadline = DateTime.UtcNow + Timeout;
            while (segment.ReadVolatile(SegmentLayout.StateOffset) == 0 && DateTime.UtcNow < deadline)
                Thread.Sleep(1);
            Assert.Equal(SegmentLayout.Refused, segment.ReadVolatile(SegmentLayout.StateOffset));
            Assert.Contains("gone", segment.ReadText(SegmentLayout.RefusalOffset, SegmentLayout.ReasonField));
            ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // no InboundAssociation that would never end
        }
        finally
        {
            segment.Dispose();
            Posix.Unlink(segment.Path);
        }
    }

    [Fact]
    public async Task Connecting_to_a_listener_that_died_before_its_life_fifo_was_opened_fails_at_once()
    {
        var client = NewTransport("mode = shm\nconnection-timeout = 10s");
        await ListenAsync(client);
        using var dead = new ForgedEndpoint(IpcDirectory.Path);
        var stopwatch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            client.Associate(new Akka.Actor.Address("ipc", "Dead", "localhost", dead.Port)).WaitAsync(Timeout));
        Output.WriteLine($"{stopwatch.ElapsedMilliseconds} ms: {error.Message}");
        Assert.IsType<InvalidAssociationException>(error);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task A_listener_that_dies_between_its_answer_and_the_write_end_open_fails_the_associate_at_once()
    {
        var client = NewTransport("mode = fifo\nconnection-timeout = 10s");
        await ListenAsync(client);
        using var listener = new ForgedEndpoint(IpcDirectory.Path);
        var stopwatch = Stopwatch.StartNew();
        var associate = client.Associate(new Akka.Actor.Address("ipc", "Forged", "localhost", listener.Port));
        var request = listener.ReadRequest(Timeout);
        // Answer "accepted", then go away without ever opening the client-to-server FIFO.
        using (var answer = Posix.Open(listener.Names.ServerToClient(request.ClientPort, request.AssociationId), LibC.O_WRONLY | LibC.O_NONBLOCK))
            Assert.True(FifoHandshake.WriteAnswer(answer, refusal: null));
        var error = await Assert.ThrowsAnyAsync<Exception>(() => associate.WaitAsync(Timeout));
        Output.WriteLine($"{stopwatch.ElapsedMilliseconds} ms: {error.Message}");
        Assert.Contains("No such device or address", error.Message);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed}");
    }
}
