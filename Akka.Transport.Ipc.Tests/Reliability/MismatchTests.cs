using System.Text;
using Akka.Actor;
using Akka.Remote.Transport;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Reliability;

/// <summary>Peers that cannot talk correctly are refused at connect with a clear reason, never a corrupt stream.</summary>
public sealed class MismatchTests(ITestOutputHelper output) : TransportTestKit("auto", output)
{
    private async Task<Exception> AssociateFailsAsync(string clientExtra, string serverExtra)
    {
        var client = NewTransport(clientExtra);
        var server = NewTransport(serverExtra);
        await ListenAsync(client);
        var address = await ListenAsync(server);
        return await Assert.ThrowsAnyAsync<Exception>(() => client.Associate(address).WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_different_ring_size_is_refused_naming_it()
    {
        var error = await AssociateFailsAsync("ring-size = 64KiB", "ring-size = 128KiB");
        Assert.Contains("ring-size", error.Message);
        Assert.Contains("refused", error.Message);
    }

    [Fact]
    public async Task A_different_maximum_frame_size_is_refused_naming_it()
    {
        var error = await AssociateFailsAsync("maximum-frame-size = 256KiB", "maximum-frame-size = 128000b");
        Assert.Contains("maximum-frame-size", error.Message);
    }

    [Fact]
    public async Task A_peer_speaking_another_protocol_version_is_refused_naming_both_versions()
    {
        var client = NewTransport();
        var server = NewTransport();
        await ListenAsync(client);
        var address = await ListenAsync(server);
        // What a future version of the transport would announce in its lock file.
        string lockPath = new ChannelNames(IpcDirectory.Path).Lock(address.Port!.Value);
        OverwriteLockedFile(lockPath, "pid=1 protocol=99\n");

        var error = await Assert.ThrowsAsync<InvalidAssociationException>(() => client.Associate(address));
        Assert.Contains("protocol version 99", error.Message);
        Assert.Contains($"speaks {SegmentLayout.Version}", error.Message);
    }

    /// <summary>Raw write: FileStream would take a shared flock and fail against the holder's exclusive one.</summary>
    private static unsafe void OverwriteLockedFile(string path, string text)
    {
        using var fd = Interop.Posix.Open(path, Interop.LibC.O_WRONLY);
        var bytes = Encoding.ASCII.GetBytes(text);
        Assert.Equal(0, Interop.LibC.FTruncate(fd.Fd, 0));
        fixed (byte* p = bytes)
            Assert.Equal(bytes.Length, (int)Interop.LibC.Write(fd.Fd, p, bytes.Length));
    }

    [Fact]
    public async Task A_shm_only_endpoint_and_a_fifo_only_endpoint_refuse_each_other_clearly()
    {
        var shmOnly = NewTransport("mode = shm");
        var fifoOnly = NewTransport("mode = fifo");
        var shmAddress = await ListenAsync(shmOnly);
        var fifoAddress = await ListenAsync(fifoOnly);

        var shmToFifo = await Assert.ThrowsAsync<InvalidAssociationException>(() => shmOnly.Associate(fifoAddress));
        Assert.Contains("mode = shm", shmToFifo.Message);
        var fifoToShm = await Assert.ThrowsAnyAsync<Exception>(() => fifoOnly.Associate(shmAddress).WaitAsync(Timeout));
        Assert.Contains("mode = shm", fifoToShm.Message);
    }
}
