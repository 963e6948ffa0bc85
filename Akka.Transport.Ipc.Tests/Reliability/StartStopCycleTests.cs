using Akka.Remote.Transport;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Reliability;

/// <summary>100 start/associate/stop cycles leave the directory and /dev/shm exactly as they were.</summary>
public abstract class StartStopCycleTests(string mode, ITestOutputHelper output) : TransportTestKit(mode, output)
{
    [Fact]
    public async Task A_hundred_start_stop_cycles_leave_nothing_behind()
    {
        var semaphores = "sem." + new ChannelNames(IpcDirectory.Path).SemaphorePrefix.TrimStart('/') + "*";
        string[] ShmEntries() => Directory.GetFiles("/dev/shm", semaphores).Order().ToArray();
        var before = (Directory: Directory.GetFileSystemEntries(IpcDirectory.Path), Shm: ShmEntries());

        for (int cycle = 0; cycle < 100; cycle++)
        {
            var a = NewTransport();
            var b = NewTransport();
            await ListenAsync(a);
            var address = await ListenAsync(b);
            var outbound = await a.Associate(address).WaitAsync(Timeout);
            var inbound = ExpectMsg<InboundAssociation>(Timeout).Association;
            var listener = new RecordingHandleListener();
            inbound.ReadHandlerSource.SetResult(listener);
            Assert.True(outbound.Write(ByteString.CopyFromUtf8($"cycle {cycle}")));
            await AwaitAssertAsync(() => Assert.Equal(1, listener.PayloadCount), Timeout);
#pragma warning disable CS0618 // Akka.Remote disassociates its handles before shutting the transport down
            outbound.Disassociate();
#pragma warning restore CS0618
            await listener.Disassociated.WaitAsync(Timeout);
            Assert.True(await a.Shutdown().WaitAsync(Timeout));
            Assert.True(await b.Shutdown().WaitAsync(Timeout));
        }

        Assert.Equal(before.Directory, Directory.GetFileSystemEntries(IpcDirectory.Path));
        Assert.Equal(before.Shm, ShmEntries());
    }
}

public sealed class ShmStartStopCycleTests(ITestOutputHelper output) : StartStopCycleTests("shm", output);

public sealed class FifoStartStopCycleTests(ITestOutputHelper output) : StartStopCycleTests("fifo", output);
