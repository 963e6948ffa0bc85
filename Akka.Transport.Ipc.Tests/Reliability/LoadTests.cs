using Akka.Remote.Transport;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Reliability;

/// <summary>
/// Many frames over 8 concurrent associations, 4 writer threads on each: per writer in order, none lost, none
/// duplicated; later runs do not grow memory. 100 000 frames by default; 1 000 000 with
/// <c>IPC_LONG_TESTS=1</c>.
/// </summary>
public abstract class LoadTests(string mode, ITestOutputHelper output) : TransportTestKit(mode, output)
{
    private const int Associations = 8;
    private const int WritersPerAssociation = 4;
    private static readonly int Total = Environment.GetEnvironmentVariable("IPC_LONG_TESTS") == "1" ? 1_000_000 : 100_000;

    [Fact]
    public async Task Eight_associations_with_four_writers_each_deliver_every_frame_once_in_order()
    {
        var server = NewTransport();
        var address = await ListenAsync(server);
        var pairs = new List<(AssociationHandle Outbound, Receiver Receiver)>();
        for (int i = 0; i < Associations; i++)
        {
            var client = NewTransport();
            await ListenAsync(client, CreateTestProbe());
            var outbound = await client.Associate(address).WaitAsync(Timeout);
            var inbound = ExpectMsg<InboundAssociation>(Timeout).Association;
            var receiver = new Receiver(WritersPerAssociation);
            inbound.ReadHandlerSource.SetResult(new RecordingHandleListener(receiver.OnPayload));
            pairs.Add((outbound, receiver));
        }

        var live = new List<long>();
        for (int round = 0; round < 3; round++)
        {
            await RunAsync(pairs, round);
            live.Add(Settle());
        }
        Output?.WriteLine($"{Mode}: {Total} frames per run; live managed heap after each run: " +
            string.Join(", ", live.Select(b => $"{b / 1048576.0:F1} MiB")));
        // A leak grows with every run; a transient spike (a GC caught mid-flight) shows in one sample only.
        long growth = Math.Min(live[1], live[2]) - live[0];
        Assert.True(growth < 16 << 20, $"memory grew by {growth >> 20} MiB over later runs");
    }

    private static async Task RunAsync(List<(AssociationHandle Outbound, Receiver Receiver)> pairs, int round)
    {
        int perWriter = Total / (Associations * WritersPerAssociation);
        var writers = pairs.SelectMany(pair => Enumerable.Range(0, WritersPerAssociation).Select(writer => Task.Factory.StartNew(() =>
        {
            var frame = new byte[16 + writer * 40];
            for (int seq = 0; seq < perWriter; seq++)
            {
                BitConverter.TryWriteBytes(frame, writer);
                BitConverter.TryWriteBytes(frame.AsSpan(4), round * perWriter + seq);
                var payload = ByteString.CopyFrom(frame);
                while (!pair.Outbound.Write(payload))
                    Thread.Sleep(1); // back-pressure: retry later, as EndpointWriter does
            }
        }, TaskCreationOptions.LongRunning))).ToArray();
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromMinutes(5));
        foreach (var (_, receiver) in pairs)
            await receiver.WaitForAsync((round + 1) * perWriter, TimeSpan.FromMinutes(2));
    }

    /// <summary>Live managed bytes after a full, compacting collection (large-object heap included).</summary>
    private static long Settle()
    {
        Thread.Sleep(500); // let reader threads leave the last frame's stack frames
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        return info.HeapSizeBytes - info.FragmentedBytes;
    }

    /// <summary>Checks each writer's sequence on one association: strictly consecutive, so no loss or duplicate.</summary>
    private sealed class Receiver(int writers)
    {
        private readonly int[] _next = new int[writers];
        private string? _error;

        public void OnPayload(byte[] payload)
        {
            int writer = BitConverter.ToInt32(payload, 0), seq = BitConverter.ToInt32(payload, 4);
            if (seq != _next[writer])
                _error ??= $"writer {writer}: expected {_next[writer]}, got {seq}";
            _next[writer] = seq + 1;
        }

        public async Task WaitForAsync(int perWriter, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (_next.Any(n => n < perWriter) && _error == null && DateTime.UtcNow < deadline)
                await Task.Delay(10);
            Assert.Null(_error);
            Assert.All(_next, n => Assert.Equal(perWriter, n));
        }
    }
}

[Collection(HeapMeasuringCollection.Name)]
public sealed class ShmLoadTests(ITestOutputHelper output) : LoadTests("shm", output);

[Collection(HeapMeasuringCollection.Name)]
public sealed class FifoLoadTests(ITestOutputHelper output) : LoadTests("fifo", output);
