using Akka.Remote.Transport;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Reliability;

/// <summary>
/// Paths named by a peer are opened without following symbolic links: a link planted where a peer's segment or
/// FIFO should be is refused, and what it points to is left untouched.
/// </summary>
public sealed class PlantedSymlinkTests(ITestOutputHelper output) : TransportTestKit("auto", output)
{
    [Fact]
    public async Task A_symlink_in_place_of_an_offered_segment_is_refused()
    {
        var server = NewTransport("ring-size = 4KiB");
        int port = (await ListenAsync(server)).Port!.Value;
        using var peer = new HostilePeer(IpcDirectory.Path);
        string target = Path.Combine(IpcDirectory.Path, "elsewhere");
        try
        {
            EventFilter.Warning(contains: "errno 40").ExpectOne(() =>
                Assert.Throws<TimeoutException>(() => peer.Offer(port, 4096, server.Settings.WireFrameLimit, TimeSpan.FromSeconds(3),
                    beforeRequest: path =>
                    {
                        File.Move(path, target);
                        File.CreateSymbolicLink(path, target);
                    })));
            ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // no InboundAssociation
        }
        finally
        {
            File.Delete(target);
        }
    }

    [Fact]
    public async Task Symlinks_in_place_of_offered_fifos_are_refused_and_nothing_is_written_through_them()
    {
        var server = NewTransport();
        int port = (await ListenAsync(server)).Port!.Value;
        using var peer = new HostilePeer(IpcDirectory.Path);
        var names = new ChannelNames(IpcDirectory.Path);
        string s2cTarget = Path.Combine(IpcDirectory.Path, "target-s2c"), c2sTarget = Path.Combine(IpcDirectory.Path, "target-c2s");
        Posix.MakeFifo(s2cTarget);
        Posix.MakeFifo(c2sTarget);
        try
        {
            using var s2cRead = Posix.Open(s2cTarget, LibC.O_RDONLY | LibC.O_NONBLOCK); // so a write open would succeed
            File.CreateSymbolicLink(names.ServerToClient(peer.Port, 7), s2cTarget);
            File.CreateSymbolicLink(names.ClientToServer(peer.Port, 7), c2sTarget);
            ForgedEndpoint.SendRequest(names, port, new ConnectRequest(peer.Port, 7, LibC.GetPid(), ChannelMode.Fifo, "Hostile", "localhost", names.ShmDirectory,
                server.Settings.RingSize, server.Settings.WireFrameLimit));

            ExpectNoMsg(TimeSpan.FromSeconds(2)); // no InboundAssociation
            Assert.True(BytesWaiting(s2cRead) <= 0, "the listener wrote its answer through a planted symlink");
        }
        finally
        {
            foreach (var path in new[] { names.ServerToClient(peer.Port, 7), names.ClientToServer(peer.Port, 7), s2cTarget, c2sTarget })
                File.Delete(path);
        }
    }

    private static unsafe nint BytesWaiting(FileDescriptor fd)
    {
        byte* buffer = stackalloc byte[64];
        return LibC.Read(fd.Fd, buffer, 64);
    }
}
