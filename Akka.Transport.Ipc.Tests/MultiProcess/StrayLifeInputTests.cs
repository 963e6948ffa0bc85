using System.Diagnostics;
using Akka.Actor;
using Akka.Remote;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiProcess;

/// <summary>
/// A life FIFO is watched for hang-up only: bytes someone writes into it (`echo x &gt; 4053.life`) must not make
/// the watching poll thread spin, and the association keeps working and still sees the peer die.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class StrayLifeInputTests(ITestOutputHelper output) : MultiProcessTestKit(output, mode: "shm")
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_byte_written_into_a_peers_life_fifo_does_not_make_the_poll_thread_spin()
    {
        var node = await StartNodeAsync("Peer");
        var echo = Sys.ActorSelection($"{node.Address}/user/echo");
        Assert.Equal("before", await echo.Ask<string>("before", AskTimeout));

        WriteStrayByte(new ChannelNames(IpcDirectory.Path).Life(node.Address.Port!.Value));
        int pollThread = ThreadCpu.FindThread($"ipc-poll-{LocalAddress.Port}");
        var cpuBefore = ThreadCpu.OnCpu(pollThread);
        var wall = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(1));
        var spent = ThreadCpu.OnCpu(pollThread) - cpuBefore;
        TestOutput.WriteLine($"poll thread used {spent.TotalMilliseconds:F1} ms of CPU in {wall.ElapsedMilliseconds} ms after a stray byte");
        Assert.True(spent < TimeSpan.FromMilliseconds(50), $"the poll thread spun: {spent.TotalMilliseconds:F0} ms of CPU in {wall.ElapsedMilliseconds} ms");

        for (int i = 0; i < 20; i++)
            Assert.Equal($"after {i}", await echo.Ask<string>($"after {i}", AskTimeout));

        var events = CreateTestProbe();
        Sys.EventStream.Subscribe(events.Ref, typeof(DisassociatedEvent));
        Assert.Equal(0, Mono.Unix.Native.Syscall.kill(node.ProcessId, Mono.Unix.Native.Signum.SIGKILL));
        await events.FishForMessageAsync<DisassociatedEvent>(e => e.RemoteAddress == node.Address, TimeSpan.FromSeconds(5));
        node.Kill();
        await StartNodeAsync("Sweeper"); // removes what the killed node left behind, as any new endpoint does
        await ShutdownAndVerifyAsync();
    }

    private static unsafe void WriteStrayByte(string lifeFifo)
    {
        using var fd = Posix.Open(lifeFifo, LibC.O_WRONLY | LibC.O_NONBLOCK);
        byte x = (byte)'x';
        Assert.Equal(1, (int)LibC.Write(fd.Fd, &x, 1));
    }
}
