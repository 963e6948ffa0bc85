using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiProcess;

/// <summary>
/// A node restarted as a new process on its old port after a crash. The other multi-node specs that lived here
/// (ping-pong, one consumer and four producers, deployment, a node killed mid-stream) are now specs of the
/// multi-node kit: MultiNode/Specs.
/// </summary>
public abstract class NodeSpecs(string mode, ITestOutputHelper output) : MultiProcessTestKit(output, mode: mode)
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_node_restarted_on_the_same_port_after_a_crash_is_reachable_again()
    {
        var first = await StartNodeAsync("Phoenix");
        var client = await StartNodeAsync("Client");
        await client.RequestAsync($"PING {first.Address} 100", "PING-DONE", StepTimeout);
        int port = first.Address.Port!.Value;
        first.Kill();

        var second = await StartNodeAsync("Phoenix", port: port);
        Assert.Equal(first.Address, second.Address);
        // Akka.Remote gates a failed address for a few seconds; the transport itself must not stand in the way.
        // Each attempt gives up inside the node (4 s) well before the test stops waiting for its answer (20 s), so
        // attempts never queue behind one another and an answer always belongs to the attempt that asked.
        await AwaitAssertAsync(async () =>
            await client.RequestAsync($"PING {second.Address} 100 4", "PING-DONE", TimeSpan.FromSeconds(20)),
            StepTimeout, TimeSpan.FromSeconds(1));
        Assert.Equal("back", await Sys.ActorSelection($"{second.Address}/user/echo").Ask<string>("back", StepTimeout));

        await ShutdownAndVerifyAsync();
    }
}

[Collection(MultiProcessCollection.Name)]
public sealed class ShmNodeSpecs(ITestOutputHelper output) : NodeSpecs("shm", output);

[Collection(MultiProcessCollection.Name)]
public sealed class FifoNodeSpecs(ITestOutputHelper output) : NodeSpecs("fifo", output);
