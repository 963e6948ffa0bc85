using System.Diagnostics;
using Akka.Actor;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

public sealed class RequestResponseConfig : MultiNodeConfig
{
    public RequestResponseConfig(string askerMode, string echoMode)
    {
        Asker = Role("asker");
        Echo = Role("echo");
        NodeConfig(new[] { Asker }, new[] { ModeConfig.For(askerMode) });
        NodeConfig(new[] { Echo }, new[] { ModeConfig.For(echoMode) });
    }

    public RoleName Asker { get; }

    public RoleName Echo { get; }
}

/// <summary>
/// 1 000 sequential asks to an echo in another process, each answered with its own request; also for mixed pairs
/// (an auto side and a fifo side meet on FIFOs).
/// </summary>
public abstract class RequestResponseSpec(RequestResponseConfig config, ITestOutputHelper output) : MultiNodeSpec(config, output)
{
    private const int Requests = 1_000;
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    [MultiNodeFact]
    public void Sequential_asks_to_a_remote_echo_return_each_request()
    {
        RunOn(() => Sys.ActorOf(Props.Create<Echo>(), "echo"), config.Echo);
        EnterBarrier("echo-started");

        RunOn(() =>
        {
            var echo = Sys.ActorSelection(Node(config.Echo) / "user" / "echo");
            var stopwatch = Stopwatch.StartNew();
            for (var i = 0; i < Requests; i++)
            {
                var request = $"request #{i} {Guid.NewGuid():N}";
                Assert.Equal(request, echo.Ask<string>(request, AskTimeout).Result);
            }
            Output!.WriteLine($"{Requests} sequential round trips in {stopwatch.Elapsed.TotalMilliseconds:F0} ms "
                + $"({stopwatch.Elapsed.TotalMilliseconds * 1000 / Requests:F0} µs each)");
        }, config.Asker);
        EnterBarrier("asked");
    }
}

[Collection(MultiProcessCollection.Name)]
public sealed class ShmRequestResponseSpec(ITestOutputHelper output) : RequestResponseSpec(new RequestResponseConfig("shm", "shm"), output);

[Collection(MultiProcessCollection.Name)]
public sealed class FifoRequestResponseSpec(ITestOutputHelper output) : RequestResponseSpec(new RequestResponseConfig("fifo", "fifo"), output);

/// <summary>A mixed pair: the asker can use shared memory, the echo is forced to FIFOs; they meet on FIFOs.</summary>
[Collection(MultiProcessCollection.Name)]
public sealed class MixedAutoToFifoRequestResponseSpec(ITestOutputHelper output) : RequestResponseSpec(new RequestResponseConfig("auto", "fifo"), output);

/// <summary>A mixed pair the other way round: the asker is forced to FIFOs, the echo runs auto.</summary>
[Collection(MultiProcessCollection.Name)]
public sealed class MixedFifoToAutoRequestResponseSpec(ITestOutputHelper output) : RequestResponseSpec(new RequestResponseConfig("fifo", "auto"), output);
