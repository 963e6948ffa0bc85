using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Transport;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Endpoint;
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
        var error = await Assert.ThrowsAnyAsync<Exception>(() => client.Associate(address).WaitAsync(Timeout));
        Output.WriteLine($"{error.GetType().Name}: {error.Message}");
        return error;
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

    /// <summary>
    /// Over FIFOs there is no segment header to compare: the connect request carries the client's limits and the
    /// listener refuses a mismatch instead of later ending the association on (or dropping) an oversized frame.
    /// </summary>
    [Theory]
    [InlineData("fifo", "fifo")]
    [InlineData("auto", "fifo")] // an auto endpoint whose peer runs FIFOs only: the association is a FIFO one
    public async Task A_different_maximum_frame_size_is_refused_over_fifos_naming_it_and_both_values(string clientMode, string serverMode)
    {
        var error = await AssociateFailsAsync($"mode = {clientMode}\nmaximum-frame-size = 256KiB",
            $"mode = {serverMode}\nmaximum-frame-size = 128000b");
        Assert.Contains("refused", error.Message);
        Assert.Contains("maximum-frame-size", error.Message);
        Assert.Contains("262144", error.Message);
        Assert.Contains("128000", error.Message);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // the listener never offered it to Akka
    }

    [Theory]
    [InlineData("fifo", "fifo")]
    [InlineData("auto", "fifo")]
    public async Task A_different_ring_size_is_refused_over_fifos_naming_it_and_both_values(string clientMode, string serverMode)
    {
        var error = await AssociateFailsAsync($"mode = {clientMode}\nring-size = 64KiB", $"mode = {serverMode}\nring-size = 128KiB");
        Assert.Contains("refused", error.Message);
        Assert.Contains("ring-size", error.Message);
        Assert.Contains("65536", error.Message);
        Assert.Contains("131072", error.Message);
    }

    /// <summary>
    /// Two ActorSystems, the listener on FIFOs with the default frame limit, the sender (auto) allowing larger
    /// frames: the sender's log names the refusal before any frame is sent, and the listener never receives one.
    /// </summary>
    [Fact]
    public async Task Actor_systems_with_different_frame_limits_over_fifos_never_exchange_a_frame_and_the_sender_logs_why()
    {
        using var pong = ActorSystem.Create("Pong", ConfigurationFactory.ParseString("akka.loglevel = WARNING")
            .WithFallback(IpcConfig.For(IpcDirectory.Path, mode: "fifo")));
        var pongLog = LogCapture.Attach(pong);
        var received = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
        pong.ActorOf(Props.Create(() => new Recorder(received)), "recorder");
        var pongAddress = ((ExtendedActorSystem)pong).Provider.DefaultAddress;
        using var ping = ActorSystem.Create("Ping", ConfigurationFactory.ParseString("akka.loglevel = WARNING")
            .WithFallback(IpcConfig.For(IpcDirectory.Path, mode: "auto", maxFrame: "256KiB")));
        var pingLog = LogCapture.Attach(ping);
        try
        {
            // Larger than the listener's limit (128000 + envelope), within the sender's: the frame a FIFO listener
            // would have had to drop or end the association on, had the association been made.
            ping.ActorSelection($"{pongAddress}/user/recorder").Tell(new byte[200_000]);
            var warning = await pingLog.WaitForAsync(e => e is Warning && e.ToString().Contains("Tried to associate"), Timeout);
            Assert.NotNull(warning);
            Output.WriteLine(warning.ToString());
            Assert.Contains("the listener refused: maximum-frame-size 262144 differs from this endpoint's 128000", warning.ToString());
            Assert.DoesNotContain("\n", warning.ToString().TrimEnd()); // one line: an expected condition, no stack
            Assert.NotNull(await pongLog.WaitForAsync(e => e is Warning && e.ToString().Contains("Refused a FIFO connection"), Timeout));
            Assert.False(await received.Task.CompletesWithin(TimeSpan.FromSeconds(1)), "the listener received a frame");
            Assert.DoesNotContain(pongLog.Events, e => e is Error);
        }
        finally
        {
            await Task.WhenAll(ping.Terminate(), pong.Terminate()).WaitAsync(Timeout);
        }
    }

    private sealed class Recorder : ReceiveActor
    {
        public Recorder(TaskCompletionSource<object> received) => ReceiveAny(m => received.TrySetResult(m));
    }

    [Fact]
    public async Task Equal_limits_over_fifos_still_associate()
    {
        var client = NewTransport("mode = auto\nmaximum-frame-size = 256KiB");
        var server = NewTransport("mode = fifo\nmaximum-frame-size = 256KiB");
        await ListenAsync(client);
        var address = await ListenAsync(server);
        await client.Associate(address).WaitAsync(Timeout);
        ExpectMsg<InboundAssociation>(Timeout);
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
