using System.Diagnostics;
using Akka.Actor;
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
        using var forged = new ForgedListener(IpcDirectory.Path);
        var client = NewTransport("connection-timeout = 1s");
        int clientPort = (await ListenAsync(client)).Port!.Value;
        var stopwatch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<TimeoutException>(() =>
            client.Associate(new Address("akka.ipc", "Forged", "localhost", forged.Port)).WaitAsync(Timeout));
        stopwatch.Stop();
        Output?.WriteLine($"{Mode}: Associate failed after {stopwatch.ElapsedMilliseconds} ms: {error.Message}");
        Assert.Equal($"The IPC endpoint on port {forged.Port} did not accept within 00:00:01", error.Message);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        // What the client offered (segment or FIFO pair) is gone again; only the forged endpoint's names remain.
        await AwaitAssertAsync(() => Assert.Equal(forged.FileNames,
            Directory.GetFileSystemEntries(IpcDirectory.Path).Select(Path.GetFileName)
                .Where(n => !n!.StartsWith($"{clientPort}.", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray()),
            TimeSpan.FromSeconds(5));
    }
}

public sealed class ShmConnectionTimeoutTests(ITestOutputHelper output) : ConnectionTimeoutTests("shm", output);

public sealed class FifoConnectionTimeoutTests(ITestOutputHelper output) : ConnectionTimeoutTests("fifo", output);
