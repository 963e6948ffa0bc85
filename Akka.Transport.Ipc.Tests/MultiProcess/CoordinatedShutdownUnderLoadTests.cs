using Akka.Actor;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiProcess;

/// <summary>
/// CoordinatedShutdown while messages flow: no exception reaches the user, the node shuts down cleanly too, and
/// every resource is removed.
/// </summary>
public abstract class CoordinatedShutdownUnderLoadTests(string mode, ITestOutputHelper output)
    : MultiProcessTestKit(output, ringSize: "64KiB", mode: mode)
{
    [Fact]
    public async Task CoordinatedShutdown_while_streaming_is_clean()
    {
        var node = await StartNodeAsync();
        var echo = Sys.ActorSelection($"{node.Address}/user/echo");
        Assert.Equal("up", await echo.Ask<string>("up", TimeSpan.FromSeconds(30)));
        using var stop = new CancellationTokenSource();
        var streaming = Task.Run(() =>
        {
            for (int i = 0; !stop.IsCancellationRequested; i++)
                echo.Tell(new byte[64 + i % 4096]);
        });
        await Task.Delay(500);

        await CoordinatedShutdown.Get(Sys).Run(CoordinatedShutdown.ClrExitReason.Instance).WaitAsync(TimeSpan.FromSeconds(60));
        stop.Cancel();
        await streaming; // Tell after termination goes to dead letters, never throws

        await ShutdownAndVerifyAsync();
    }
}

[Collection(MultiProcessCollection.Name)]
public sealed class ShmCoordinatedShutdownUnderLoadTests(ITestOutputHelper output) : CoordinatedShutdownUnderLoadTests("shm", output);

[Collection(MultiProcessCollection.Name)]
public sealed class FifoCoordinatedShutdownUnderLoadTests(ITestOutputHelper output) : CoordinatedShutdownUnderLoadTests("fifo", output);
