using System.Diagnostics;
using Akka.Actor;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiProcess;

public abstract class RequestResponseTests(string mode, ITestOutputHelper output) : MultiProcessTestKit(output, mode: mode)
{
    private const int Requests = 1_000;
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Sequential_asks_to_remote_echo_return_each_request()
    {
        var node = await StartNodeAsync();
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
