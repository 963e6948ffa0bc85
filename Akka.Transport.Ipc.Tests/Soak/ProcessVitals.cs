namespace Akka.Transport.Ipc.Tests.Soak;

/// <summary>What the kernel says a process holds: threads and resident memory (/proc/pid/status), open descriptors (/proc/pid/fd).</summary>
internal sealed record ProcessVitals(int Threads, int OpenFds, long RssKiB)
{
    public static ProcessVitals Read(int pid)
    {
        int threads = 0;
        long rss = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("Threads:", StringComparison.Ordinal))
                threads = int.Parse(line["Threads:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            else if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                rss = long.Parse(line["VmRSS:".Length..].Replace("kB", "").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }
        int fds = Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length;
        return new ProcessVitals(threads, fds, rss);
    }

    public override string ToString() => $"{Threads} threads, {OpenFds} fds, {RssKiB / 1024.0:F0} MiB RSS";
}
