using Akka.Remote.Transport;
using Google.Protobuf;

namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>
/// Measures what <see cref="AssociationHandle.Write"/> allocates per frame: batches of 64 B frames on one dedicated
/// thread, each batch waited for (without allocating) until the peer delivered it, so they always fit the channel;
/// warm-up batches first (JIT, first-use paths), then the measured ones.
/// </summary>
internal static class WriteAllocation
{
    /// <summary>Bytes the writing thread allocated during the measured batches, and whether every Write was accepted.</summary>
    public static Task<(long Allocated, bool AllAccepted)> MeasureAsync(
        AssociationHandle outbound, Func<int> delivered, int batch, int warmUpBatches, int measuredBatches)
    {
        var frame = ByteString.CopyFrom(new byte[64]);
        return Task.Factory.StartNew(() =>
        {
            bool allAccepted = true;
            int written = 0;
            void WriteBatch()
            {
                for (int i = 0; i < batch; i++)
                    allAccepted &= outbound.Write(frame);
                written += batch;
                var deadline = Environment.TickCount64 + 20_000;
                while (delivered() < written && Environment.TickCount64 < deadline)
                    Thread.Sleep(0);
            }
            for (int b = 0; b < warmUpBatches; b++)
                WriteBatch();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int b = 0; b < measuredBatches; b++)
                WriteBatch();
            return (GC.GetAllocatedBytesForCurrentThread() - before, allAccepted);
        }, TaskCreationOptions.LongRunning);
    }
}
