namespace Akka.Transport.Ipc.Benchmarks;

/// <summary>The raw part's ring-size comparison (--ring-sizes): throughput against /dev/shm cost per association.</summary>
internal sealed partial class Bench
{
    /// <summary>
    /// Bytes one association occupies in the shm directory: a 4096-byte header and two rings of a 512-byte trailer
    /// plus the data area (the transport's SegmentLayout.TotalLength; every page is reserved).
    /// </summary>
    private static long SegmentBytes(int ringSize) => 4096 + 2 * (512 + (long)ringSize);

    /// <summary>Docker's default /dev/shm.</summary>
    private const long DockerShm = 64L << 20;

    private void PrintRawByRingSize()
    {
        if (options.RingSizes.Count == 0)
            return;
        double Rate(int ring, int frame) =>
            report.RawStream.FirstOrDefault(r => r.Mode == $"shm {Table.Size(ring)}" && r.FrameSize == frame)?.MsgsPerSec ?? double.NaN;
        int largest = options.RingSizes.Max();
        double reference = Rate(largest, 1024);
        Table.Print($"Raw shm by ring size (msgs/s; '% of {Table.Size(largest)}' compares the 1 KiB stream)",
            new[] { "ring", "/dev/shm per association", "fit in 64 MiB", "64 B", "1 KiB", "64 KiB", $"1 KiB % of {Table.Size(largest)}" },
            options.RingSizes.Order().Select(ring => new[]
            {
                Table.Size(ring), Table.N0(SegmentBytes(ring)), Table.N0(DockerShm / RoundToPages(SegmentBytes(ring))),
                Table.N0(Rate(ring, 64)), Table.N0(Rate(ring, 1024)), Table.N0(Rate(ring, 64 * 1024)),
                Table.F1(100 * Rate(ring, 1024) / reference),
            }));
    }

    /// <summary>tmpfs allocates whole pages.</summary>
    private static long RoundToPages(long bytes) => (bytes + 4095) / 4096 * 4096;
}
