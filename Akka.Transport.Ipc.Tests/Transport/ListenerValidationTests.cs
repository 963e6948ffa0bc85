using System.Buffers.Binary;
using System.Text.RegularExpressions;
using Akka.Remote.Transport;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Transport;

/// <summary>
/// The listener validates what a connecting peer offers before trusting any of it: a truncated segment, a segment
/// of another protocol version, a symlink planted as the segment and garbage on the accept FIFO are refused or
/// ignored with a logged reason; nothing is accepted, the listener keeps serving real peers.
/// </summary>
public sealed class ListenerValidationTests(ITestOutputHelper output) : TransportTestKit("shm", output)
{
    private static readonly TimeSpan Refusal = TimeSpan.FromSeconds(2);

    [Theory]
    [InlineData("truncated to 100 bytes", "shorter than its header")]
    [InlineData("truncated to its header", "which does not match its size")]
    [InlineData("version 7", "speaks protocol version 7")]
    public async Task A_malformed_offered_segment_is_refused_with_its_reason_and_the_listener_keeps_serving(string damage, string reason)
    {
        var server = NewTransport();
        int port = (await ListenAsync(server)).Port!.Value;
        using var hostile = new HostilePeer(IpcDirectory.Path);

        var refused = new Regex($"^Refused a connection from port {hostile.Port} .*{Regex.Escape(reason)}");
        await EventFilter.Warning(refused).ExpectOneAsync(async () =>
        {
            var offer = Task.Run(() => hostile.Offer(port, server.Settings.RingSize, server.Settings.WireFrameLimit, Refusal,
                path => Damage(path, damage)));
            await Assert.ThrowsAsync<TimeoutException>(() => offer);
        });
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200)); // no InboundAssociation for it

        await AssertStillServingAsync(port);
    }

    [Fact]
    public async Task A_symlink_planted_as_the_offered_segment_is_refused()
    {
        var server = NewTransport();
        int port = (await ListenAsync(server)).Port!.Value;
        using var hostile = new HostilePeer(IpcDirectory.Path);
        string? target = null;
        try
        {
            // The link points at a valid copy of the segment: only refusing symlinks as such stops it.
            var offer = Task.Run(() => hostile.Offer(port, server.Settings.RingSize, server.Settings.WireFrameLimit, Refusal, path =>
            {
                target = path + ".target";
                File.Copy(path, target);
                File.Delete(path);
                File.CreateSymbolicLink(path, target);
            }));
            await Assert.ThrowsAsync<TimeoutException>(() => offer);
            // Nothing behind a symlink is accepted (the segment is opened with O_NOFOLLOW).
            await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(500));
        }
        finally
        {
            if (target != null)
                File.Delete(target);
        }
        await AssertStillServingAsync(port);
    }

    [Fact]
    public async Task Garbage_written_to_the_accept_fifo_is_ignored_and_the_listener_keeps_serving()
    {
        var server = NewTransport();
        int port = (await ListenAsync(server)).Port!.Value;
        var random = new Random(16);
        var requests = new[] { new byte[ConnectRequest.Length], new byte[ConnectRequest.Length], new byte[ConnectRequest.Length] };
        random.NextBytes(requests[0]);
        Array.Fill(requests[2], (byte)0xFF);

        await EventFilter.Warning(contains: $"Ignored a malformed connect request on port {port}").ExpectAsync(requests.Length, async () =>
        {
            foreach (var request in requests)
                await File.WriteAllBytesAsync(new ChannelNames(IpcDirectory.Path).Accept(port), request);
        });
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        await AssertStillServingAsync(port);
    }

    private async Task AssertStillServingAsync(int port)
    {
        var client = NewTransport();
        await ListenAsync(client, CreateTestProbe());
        var outbound = await client.Associate(new Akka.Actor.Address("akka.ipc", Sys.Name, "localhost", port)).WaitAsync(Timeout);
        var inbound = ExpectMsg<InboundAssociation>(Timeout).Association;
        var received = new RecordingHandleListener();
        inbound.ReadHandlerSource.SetResult(received);
        Assert.True(outbound.Write(ByteString.CopyFromUtf8("still serving")));
        await AwaitAssertAsync(() => Assert.Equal(1, received.PayloadCount), Timeout);
        Assert.True(received.Payloads.TryDequeue(out var payload));
        Assert.Equal("still serving", System.Text.Encoding.UTF8.GetString(payload));
    }

    private static void Damage(string path, string damage)
    {
        switch (damage)
        {
            case "truncated to 100 bytes":
                using (var h = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
                    RandomAccess.SetLength(h, 100);
                break;
            case "truncated to its header":
                using (var h = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
                    RandomAccess.SetLength(h, SegmentLayout.HeaderLength);
                break;
            case "version 7":
                var version = new byte[4];
                BinaryPrimitives.WriteInt32LittleEndian(version, 7);
                using (var h = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
                    RandomAccess.Write(h, version, SegmentLayout.VersionOffset);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(damage), damage, null);
        }
    }
}
