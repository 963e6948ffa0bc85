using Akka.Remote.Transport;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Reliability;

/// <summary>
/// 100 associate/disassociate cycles between two live transports leave this process's file descriptors and its
/// mappings of this test's segments where they were: every channel releases what it opened and mapped.
/// </summary>
[Collection(HeapMeasuringCollection.Name)] // counts process-wide descriptors: no other test may open any meanwhile
public abstract class DescriptorAndMappingLeakTests(string mode, ITestOutputHelper output) : TransportTestKit(mode, output)
{
    private const int Cycles = 100;

    [Fact]
    public async Task Descriptors_and_mappings_are_flat_across_a_hundred_associate_disassociate_cycles()
    {
        var a = NewTransport();
        var b = NewTransport();
        await ListenAsync(a, CreateTestProbe());
        var addressB = await ListenAsync(b);
        await CycleAsync(a, addressB); // first use: lazily created descriptors (thread pool, epoll, ...) exist from here
        await Task.Delay(200);
        int fdsBefore = OpenDescriptors(), mapsBefore = OwnMappings();

        for (int i = 0; i < Cycles; i++)
            await CycleAsync(a, addressB);

        // The channels close asynchronously (poll and receiver threads); give them a moment, then compare.
        await AwaitAssertAsync(() =>
        {
            Assert.Equal(mapsBefore, OwnMappings());
            Assert.InRange(OpenDescriptors(), 0, fdsBefore + 4); // slack for the runtime's own, not per cycle
        }, TimeSpan.FromSeconds(10));
        Output?.WriteLine($"{Mode}: descriptors {fdsBefore} → {OpenDescriptors()}, mappings {mapsBefore} → {OwnMappings()} over {Cycles} cycles");
    }

    private async Task CycleAsync(IpcTransport a, Akka.Actor.Address addressB)
    {
        var outbound = await a.Associate(addressB).WaitAsync(Timeout);
        var inbound = (await ExpectMsgAsync<InboundAssociation>(Timeout)).Association;
        var received = new RecordingHandleListener();
        inbound.ReadHandlerSource.SetResult(received);
        outbound.ReadHandlerSource.SetResult(new RecordingHandleListener());
        Assert.True(outbound.Write(ByteString.CopyFromUtf8("x")));
        await AwaitAssertAsync(() => Assert.Equal(1, received.PayloadCount), Timeout);
#pragma warning disable CS0618 // Akka.Remote itself calls the parameterless Disassociate
        outbound.Disassociate();
#pragma warning restore CS0618
        await received.Disassociated.WaitAsync(Timeout);
    }

    private static int OpenDescriptors() => Directory.GetFiles("/proc/self/fd").Length;

    /// <summary>Lines of /proc/self/maps naming a file of this test's directory (segments live there).</summary>
    private int OwnMappings() => File.ReadAllLines("/proc/self/maps").Count(l => l.Contains(IpcDirectory.Path, StringComparison.Ordinal));
}

public sealed class ShmDescriptorAndMappingLeakTests(ITestOutputHelper output) : DescriptorAndMappingLeakTests("shm", output);

public sealed class FifoDescriptorAndMappingLeakTests(ITestOutputHelper output) : DescriptorAndMappingLeakTests("fifo", output);
