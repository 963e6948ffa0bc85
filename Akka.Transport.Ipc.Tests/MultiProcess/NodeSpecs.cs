using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiProcess;

/// <summary>
/// Specs whose actors all live in child processes: the test only starts nodes, sends them commands and meets
/// them at barriers (in the spirit of Akka's MultiNode specs, on our own harness).
/// </summary>
public abstract class NodeSpecs(string mode, ITestOutputHelper output) : MultiProcessTestKit(output, mode: mode)
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Two_nodes_ping_pong_ten_thousand_messages()
    {
        var ping = await StartNodeAsync("Ping");
        var pong = await StartNodeAsync("Pong");
        await BarrierAsync("started", StepTimeout, ping, pong);

        string done = await ping.RequestAsync($"PING {pong.Address} 10000", "PING-DONE", StepTimeout);
        TestOutput.WriteLine(done);
        Assert.StartsWith("PING-DONE 10000 ", done);

        await BarrierAsync("done", StepTimeout, ping, pong);
        await ShutdownAndVerifyAsync();
    }

    [Fact]
    public async Task One_consumer_and_four_producers_deliver_fifty_thousand_each_in_order()
    {
        var consumer = await StartNodeAsync("Consumer");
        var producers = await Task.WhenAll(Enumerable.Range(1, 4).Select(i => StartNodeAsync($"Producer{i}")));
        await BarrierAsync("started", StepTimeout, [consumer, .. producers]);

        var results = await Task.WhenAll(producers.Select(p => p.RequestAsync($"PRODUCE {consumer.Address} 50000", "PRODUCE-DONE", StepTimeout)));
        foreach (var result in results)
        {
            TestOutput.WriteLine(result);
            Assert.StartsWith("PRODUCE-DONE 50000 ", result);
        }

        await BarrierAsync("produced", StepTimeout, [consumer, .. producers]);
        await ShutdownAndVerifyAsync();
    }

    [Fact]
    public async Task A_node_deploys_onto_another_and_reaches_it_by_actor_selection()
    {
        var deployer = await StartNodeAsync("Deployer");
        var host = await StartNodeAsync("Host");

        string deployed = await deployer.RequestAsync($"DEPLOY {host.Address}", "DEPLOYED", StepTimeout);
        TestOutput.WriteLine(deployed);
        var parts = deployed.Split(' ');
        Assert.Equal(host.ProcessId, int.Parse(parts[1]));
        Assert.StartsWith(host.Address.ToString(), parts[2]);

        await deployer.RequestAsync($"PING {host.Address} 100", "PING-DONE", StepTimeout);
        await ShutdownAndVerifyAsync();
    }

    /// <summary>README: a SIGKILLed peer is noticed within 250 ms, mid-stream too.</summary>
    private static readonly TimeSpan DetectionBound = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task A_node_killed_mid_stream_is_seen_disassociated_within_250_ms_and_the_others_keep_working()
    {
        var consumer = await StartNodeAsync("Consumer");
        var victim = await StartNodeAsync("Victim");
        var steady = await StartNodeAsync("Steady");
        await consumer.RequestAsync("WATCH-TIMED", "WATCHING-TIMED", StepTimeout);
        await consumer.RequestAsync("COUNTER", "COUNTER-READY", StepTimeout);
        await victim.RequestAsync($"PING {consumer.Address} 10", "PING-DONE", StepTimeout); // associated

        // The victim streams (its command never answers); the steady node streams alongside it.
        await victim.SendAsync($"STREAM {consumer.Address}");
        var steadyRun = steady.RequestAsync($"PRODUCE {consumer.Address} 50000", "PRODUCE-DONE", StepTimeout);

        // Proof that frames are in flight at the kill: the consumer's count grows between its last two reports.
        long before = await CountAsync(consumer);
        long lastGrowth = 0;
        for (int i = 0; i < 3 || lastGrowth <= 0; i++)
        {
            Assert.True(i < 200, $"the victim's stream is not flowing: the consumer's count stays at {before}");
            await Task.Delay(20);
            long now = await CountAsync(consumer);
            lastGrowth = now - before;
            before = now;
        }
        long killedAt = Stopwatch.GetTimestamp();
        victim.Kill();
        TestOutput.WriteLine($"stream in flight: the consumer's count grew by {lastGrowth} to {before} in its last 20 ms before the kill");

        string line = await consumer.WaitForLineAsync(l => l.StartsWith($"DISASSOCIATED-AT {victim.Address} ", StringComparison.Ordinal), StepTimeout);
        var detection = Stopwatch.GetElapsedTime(killedAt, long.Parse(line.Split(' ')[2], CultureInfo.InvariantCulture));
        TestOutput.WriteLine($"{Mode}: the consumer saw the victim disassociated {detection.TotalMilliseconds:F1} ms after SIGKILL");
        Assert.True(detection <= DetectionBound, $"DisassociatedEvent {detection.TotalMilliseconds:F1} ms after SIGKILL; README promises {DetectionBound.TotalMilliseconds} ms");

        Assert.StartsWith("PRODUCE-DONE 50000 ", await steadyRun);
        Assert.StartsWith("PRODUCE-DONE 1000 ", await steady.RequestAsync($"PRODUCE {consumer.Address} 1000", "PRODUCE-DONE", StepTimeout));
        await consumer.RequestAsync($"PING {steady.Address} 1000", "PING-DONE", StepTimeout);

        // The victim's files go when the next endpoint starts; the survivors shut down cleanly.
        await StartNodeAsync("Sweeper");
        await ShutdownAndVerifyAsync();
    }

    private static async Task<long> CountAsync(NodeProcess node) =>
        long.Parse((await node.RequestAsync("COUNT", "COUNT ", StepTimeout)).Split(' ')[1], CultureInfo.InvariantCulture);

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
