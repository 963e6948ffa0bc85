using System.Diagnostics;
using Akka.Actor;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Primitives;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Transport;

/// <summary>
/// connection-timeout: a listener that is alive (holds its port's lock, its accept FIFO and doorbell) but never
/// answers makes Associate fail after about connection-timeout with an error naming the port, and the offered
/// segment or FIFOs are removed.
/// </summary>
public abstract class ConnectionTimeoutTests(string mode, ITestOutputHelper output) : Infrastructure.TransportTestKit(mode, output)
{
    [Fact]
    public async Task Associate_with_a_live_listener_that_never_accepts_fails_after_connection_timeout_naming_the_port()
    {
        var names = new ChannelNames(IpcDirectory.Path);
        using var forgedLock = EndpointDirectory.Claim(names, 0);
        int port = ChannelNames.PortOf(Path.GetFileName(forgedLock.Path))!.Value;
        Posix.MakeFifo(names.Accept(port));
        Posix.MakeFifo(names.Life(port));
        using var accept = Posix.Open(names.Accept(port), LibC.O_RDWR | LibC.O_NONBLOCK); // holds requests, reads none
        using var life = Posix.Open(names.Life(port), LibC.O_RDWR | LibC.O_NONBLOCK);
        using var doorbell = NamedSemaphore.Create(names.Doorbell(port));
        try
        {
            var client = NewTransport("connection-timeout = 1s");
            int clientPort = (await ListenAsync(client)).Port!.Value;
            var stopwatch = Stopwatch.StartNew();
            var error = await Assert.ThrowsAsync<TimeoutException>(() =>
                client.Associate(new Address("akka.ipc", "Forged", "localhost", port)).WaitAsync(Timeout));
            stopwatch.Stop();
            Output?.WriteLine($"{Mode}: Associate failed after {stopwatch.ElapsedMilliseconds} ms: {error.Message}");
            Assert.Equal($"The IPC endpoint on port {port} did not accept within 00:00:01", error.Message);
            Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
            // What the client offered (segment or FIFO pair) is gone again; only the forged endpoint's names remain.
            await AwaitAssertAsync(() => Assert.Equal(
                new[] { $"{port}.accept", $"{port}.life", $"{port}.lock" },
                Directory.GetFileSystemEntries(IpcDirectory.Path).Select(Path.GetFileName).Where(n => !n!.StartsWith($"{clientPort}.", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray()),
                TimeSpan.FromSeconds(5));
        }
        finally
        {
            Posix.Unlink(names.Accept(port));
            Posix.Unlink(names.Life(port));
            NamedSemaphore.Unlink(names.Doorbell(port));
        }
    }
}

public sealed class ShmConnectionTimeoutTests(ITestOutputHelper output) : ConnectionTimeoutTests("shm", output);

public sealed class FifoConnectionTimeoutTests(ITestOutputHelper output) : ConnectionTimeoutTests("fifo", output);
