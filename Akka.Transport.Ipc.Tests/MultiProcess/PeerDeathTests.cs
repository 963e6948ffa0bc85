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

    /// <summary>
    /// The bound for noticing a SIGKILLed peer (dot-netty.tcp needs ~70 ms through the kernel's RST). Detection
    /// is OS-backed (FIFO hang-up), so this holds with a wide margin (7–21 ms measured).
    /// </summary>
    private static readonly TimeSpan DetectionBound = TimeSpan.FromMilliseconds(250);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_killed_peer_is_seen_disassociated_and_the_survivor_keeps_serving_others(bool midStream)
    {
        var victim = await StartNodeAsync("Victim");
        var survivor = await StartNodeAsync("Survivor");
        Assert.Equal("hello", await Sys.ActorSelection($"{victim.Address}/user/echo").Ask<string>("hello", AskTimeout));
        Assert.Equal("hi", await Sys.ActorSelection($"{survivor.Address}/user/echo").Ask<string>("hi", AskTimeout));
        using var streaming = new CancellationTokenSource();
        var echoes = new EchoCounter();
        if (midStream)
        {
            // Frames flow towards the victim and its echoes back when it dies. Paced (a burst, then a millisecond's
            // pause) so the stream is continuous without starving the dispatcher that publishes DisassociatedEvent.
            var echo = Sys.ActorSelection($"{victim.Address}/user/echo");
            var counter = Sys.ActorOf(Props.Create(() => new EchoCounterActor(echoes)));
            _ = Task.Run(async () =>
            {
                for (int i = 0; !streaming.IsCancellationRequested; i++)
                {
                    echo.Tell(new byte[256 + i % 1024], counter);
                    if (i % 50 == 49)
                        await Task.Delay(1);
                }
            });
            // Proof that frames are in flight at the kill: echoes keep coming back right before it.
            long last = echoes.Count;
            for (int i = 0; i < 3 || echoes.Count == last; i++)
            {
                Assert.True(i < 200, $"no echoes are flowing: {echoes.Count} so far");
                last = echoes.Count;
                await Task.Delay(20);
            }
            TestOutput.WriteLine($"stream in flight: {echoes.Count} echoes back, {echoes.Count - last} in the last 20 ms before the kill");
        }

        var events = CreateTestProbe();
        Sys.EventStream.Subscribe(events.Ref, typeof(DisassociatedEvent));
        // Signal first and time from there: Kill() also waits for the process and its output to end.
        Assert.Equal(0, Mono.Unix.Native.Syscall.kill(victim.ProcessId, Mono.Unix.Native.Signum.SIGKILL));
        var stopwatch = Stopwatch.StartNew();
        var disassociated = await events.FishForMessageAsync<DisassociatedEvent>(
            e => e.RemoteAddress == victim.Address, DetectionBound);
        stopwatch.Stop();
        streaming.Cancel();
        victim.Kill();
        TestOutput.WriteLine($"{Mode}{(midStream ? " mid-stream" : " idle")}: DisassociatedEvent for the killed peer {stopwatch.Elapsed.TotalMilliseconds:F0} ms after SIGKILL");
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

/// <summary>Echoes counted by <see cref="EchoCounterActor"/>, read by the test thread.</summary>
internal sealed class EchoCounter
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Increment() => Interlocked.Increment(ref _count);
}

internal sealed class EchoCounterActor : ReceiveActor
{
    public EchoCounterActor(EchoCounter counter) => ReceiveAny(_ => counter.Increment());
}
