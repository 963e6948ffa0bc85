using System.Diagnostics;
using Akka.Actor;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Transport;

/// <summary>
/// Shutdown while an Associate waits for a listener that never answers: the Associate ends with an error at once
/// (not after connection-timeout), Shutdown completes, and what the Associate offered is removed.
/// </summary>
public abstract class ShutdownDuringAssociateTests(string mode, ITestOutputHelper output) : Infrastructure.TransportTestKit(mode, output)
{
    [Fact]
    public async Task Shutdown_ends_an_associate_in_flight_promptly_and_leaves_nothing()
    {
        using var forged = new ForgedListener(IpcDirectory.Path);
        var client = NewTransport("connection-timeout = 30s");
        await ListenAsync(client);
        var associate = client.Associate(new Address("akka.ipc", "Forged", "localhost", forged.Port));
        await Task.Delay(300); // the request is in the forged accept FIFO, the offer waits
        Assert.False(associate.IsCompleted);

        var stopwatch = Stopwatch.StartNew();
        Assert.True(await client.Shutdown().WaitAsync(Timeout));
        var error = await Assert.ThrowsAnyAsync<Exception>(() => associate.WaitAsync(TimeSpan.FromSeconds(10)));
        stopwatch.Stop();
        Output?.WriteLine($"{Mode}: Associate ended {stopwatch.ElapsedMilliseconds} ms after Shutdown began: {error.GetType().Name}: {error.Message}");
        Assert.IsNotType<TimeoutException>(error); // ended by the shutdown, not by either time-out
        Assert.Equal(forged.FileNames, Directory.GetFileSystemEntries(IpcDirectory.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray());
    }
}

public sealed class ShmShutdownDuringAssociateTests(ITestOutputHelper output) : ShutdownDuringAssociateTests("shm", output);

public sealed class FifoShutdownDuringAssociateTests(ITestOutputHelper output) : ShutdownDuringAssociateTests("fifo", output);
