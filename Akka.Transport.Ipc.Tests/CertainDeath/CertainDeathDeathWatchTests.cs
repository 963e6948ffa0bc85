using System.Diagnostics;
using Akka.Actor;
using Akka.Remote;
using Akka.TestKit;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Mono.Unix.Native;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.CertainDeath;

/// <summary>
/// Remote DeathWatch across processes in plain akka.ipc mode, with Akka's default watch failure detector: an actor in
/// a SIGKILLed peer is reported Terminated within 1.5 s (Akka's detector alone takes ~12.6 s), and a peer frozen
/// with SIGSTOP for 10 s is not reported at all, by this path or any other, and serves on after SIGCONT.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class CertainDeathDeathWatchTests(ITestOutputHelper output) : MultiProcessTestKit(output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan TerminatedBound = TimeSpan.FromMilliseconds(1500);
    private static readonly TimeSpan Freeze = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_watcher_gets_Terminated_for_an_actor_in_a_SIGKILLed_peer_within_1_5_s()
    {
        var victim = await StartNodeAsync("Victim");
        var (watcher, echo) = await WatchEchoAsync(victim);

        var elapsed = await KillAndExpectTerminatedAsync(victim, watcher, echo);

        TestOutput.WriteLine($"kill -9 -> Terminated: {elapsed.TotalMilliseconds:F0} ms");
        await StartNodeAsync("Sweeper"); // removes what the killed node left behind, as any new endpoint does
        await ShutdownAndVerifyAsync();
    }

    [Fact]
    public async Task A_peer_frozen_for_ten_seconds_is_not_reported_dead_and_serves_on_until_it_is_killed()
    {
        var frozen = await StartNodeAsync("Frozen");
        var (watcher, echo) = await WatchEchoAsync(frozen);
        var reactions = CreateTestProbe();
        Sys.EventStream.Subscribe(reactions.Ref, typeof(PeerEndpointTerminated));
        Sys.EventStream.Subscribe(reactions.Ref, typeof(QuarantinedEvent));
        Sys.EventStream.Subscribe(reactions.Ref, typeof(DisassociatedEvent));

        frozen.Signal(Signum.SIGSTOP);
        try
        {
            // A frozen process holds its lock and its descriptors: nothing may say it died.
            watcher.ExpectNoMsg(Freeze);
            reactions.ExpectNoMsg(TimeSpan.Zero);
        }
        finally
        {
            frozen.Signal(Signum.SIGCONT);
        }
        for (int i = 0; i < 10; i++)
            Assert.Equal($"thawed {i}", await echo.Ask<string>($"thawed {i}", Timeout));
        watcher.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        reactions.ExpectNoMsg(TimeSpan.Zero);

        // Still watched, and its real death still counts at once.
        var elapsed = await KillAndExpectTerminatedAsync(frozen, watcher, echo);
        TestOutput.WriteLine($"after a 10 s freeze: kill -9 -> Terminated: {elapsed.TotalMilliseconds:F0} ms");
        await StartNodeAsync("Sweeper");
        await ShutdownAndVerifyAsync();
    }

    /// <summary>A probe of the test system watching the node's echo, the watch established on both sides.</summary>
    private async Task<(TestProbe Watcher, IActorRef Echo)> WatchEchoAsync(NodeProcess node)
    {
        var echo = await Sys.ActorSelection($"{node.Address}/user/echo").ResolveOne(Timeout);
        var watcher = CreateTestProbe();
        watcher.Watch(echo);
        await RemoteWatchProbe.WatchEstablishedAsync(Sys, echo, watcher.Ref, echo, Timeout);
        return (watcher, echo);
    }

    private async Task<TimeSpan> KillAndExpectTerminatedAsync(NodeProcess node, TestProbe watcher, IActorRef echo)
    {
        // Signal first and time from there: Kill() also waits for the process and its output to end.
        Assert.Equal(0, Syscall.kill(node.ProcessId, Signum.SIGKILL));
        var stopwatch = Stopwatch.StartNew();
        var terminated = await watcher.ExpectMsgAsync<Terminated>(TerminatedBound);
        stopwatch.Stop();
        node.Kill();
        Assert.Equal(echo, terminated.ActorRef);
        Assert.True(terminated.AddressTerminated, $"expected a Terminated for the lost address, got {terminated}");
        return stopwatch.Elapsed;
    }
}
