using System.Diagnostics;
using Akka.Actor;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiProcess;

public abstract class RequestResponseTests(string mode, ITestOutputHelper output, string? nodeMode = null)
    : MultiProcessTestKit(output, mode: mode)
{
    private const int Requests = 1_000;
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Sequential_asks_to_remote_echo_return_each_request()
    {
        var node = await StartNodeAsync(mode: nodeMode);
        var echo = Sys.ActorSelection($"{node.Address}/user/echo");

        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < Requests; i++)
        {
            var request = $"request #{i} {Guid.NewGuid():N}";
            var reply = await echo.Ask<string>(request, AskTimeout);
            Assert.Equal(request, reply);
        }
        stopwatch.Stop();

        TestOutput.WriteLine(
            $"{Requests} sequential round trips in {stopwatch.Elapsed.TotalMilliseconds:F0} ms "
            + $"({Requests / stopwatch.Elapsed.TotalSeconds:F0} round trips/s, "
            + $"{stopwatch.Elapsed.TotalMilliseconds * 1000 / Requests:F0} µs each)");

        await ShutdownAndVerifyAsync();
    }
}

[Collection(MultiProcessCollection.Name)]
public sealed class ShmRequestResponseTests(ITestOutputHelper output) : RequestResponseTests("shm", output);

[Collection(MultiProcessCollection.Name)]
public sealed class FifoRequestResponseTests(ITestOutputHelper output) : RequestResponseTests("fifo", output);

/// <summary>A mixed pair: this side can use shared memory, the node is forced to FIFOs; they meet on FIFOs.</summary>
[Collection(MultiProcessCollection.Name)]
public sealed class MixedAutoToFifoRequestResponseTests(ITestOutputHelper output) : RequestResponseTests("auto", output, nodeMode: "fifo");

/// <summary>A mixed pair the other way round: this side is forced to FIFOs, the node runs auto.</summary>
[Collection(MultiProcessCollection.Name)]
public sealed class MixedFifoToAutoRequestResponseTests(ITestOutputHelper output) : RequestResponseTests("fifo", output, nodeMode: "auto");
