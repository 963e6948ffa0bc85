using System.Diagnostics;
using Akka.Actor;
using Akka.Remote;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiProcess;

/// <summary>
/// A peer killed with SIGKILL: the survivor's remoting sees the association end through the kernel (the dead
/// process's FIFO ends close), keeps serving other peers, and the next endpoint sweeps the dead one's debris.
/// </summary>
public abstract class PeerDeathTests(string mode, ITestOutputHelper output) : MultiProcessTestKit(output, mode: mode)
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The bound the FIFO issue sets for noticing a SIGKILLed peer.</summary>
    private static readonly TimeSpan DetectionBound = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_killed_peer_is_seen_disassociated_and_the_survivor_keeps_serving_others()
    {
        var victim = await StartNodeAsync("Victim");
        var survivor = await StartNodeAsync("Survivor");
        Assert.Equal("hello", await Sys.ActorSelection($"{victim.Address}/user/echo").Ask<string>("hello", AskTimeout));
        Assert.Equal("hi", await Sys.ActorSelection($"{survivor.Address}/user/echo").Ask<string>("hi", AskTimeout));

        var events = CreateTestProbe();
        Sys.EventStream.Subscribe(events.Ref, typeof(DisassociatedEvent));
        var stopwatch = Stopwatch.StartNew();
        victim.Kill();
        var disassociated = await events.FishForMessageAsync<DisassociatedEvent>(
            e => e.RemoteAddress == victim.Address, DetectionBound);
        stopwatch.Stop();
        TestOutput.WriteLine($"{Mode}: DisassociatedEvent for the killed peer {stopwatch.Elapsed.TotalMilliseconds:F0} ms after SIGKILL");
        Assert.Equal(victim.Address, disassociated.RemoteAddress);

        for (int i = 0; i < 100; i++)
            Assert.Equal($"still here {i}", await Sys.ActorSelection($"{survivor.Address}/user/echo").Ask<string>($"still here {i}", AskTimeout));

        // A new endpoint removes what the killed one left (its lock is free now).
        var newcomer = await StartNodeAsync("Newcomer");
        Assert.DoesNotContain(Directory.GetFileSystemEntries(IpcDirectory.Path),
            e => Path.GetFileName(e).StartsWith($"{victim.Address.Port}", StringComparison.Ordinal));
        Assert.Equal("new", await Sys.ActorSelection($"{newcomer.Address}/user/echo").Ask<string>("new", AskTimeout));

        await ShutdownAndVerifyAsync();
    }
}

[Collection(MultiProcessCollection.Name)]
public sealed class ShmPeerDeathTests(ITestOutputHelper output) : PeerDeathTests("shm", output);

[Collection(MultiProcessCollection.Name)]
public sealed class FifoPeerDeathTests(ITestOutputHelper output) : PeerDeathTests("fifo", output);
