namespace Akka.Transport.Ipc.Tests.Soak;

/// <summary>Fills a file system with one file until the kernel says ENOSPC; removing the file gives the space back.</summary>
internal sealed class TmpfsFiller : IDisposable
{
    private TmpfsFiller(string path, long bytes)
    {
        Path = path;
        Bytes = bytes;
    }

    public string Path { get; }

    /// <summary>Bytes written before the file system was full.</summary>
    public long Bytes { get; }

    public static TmpfsFiller Fill(string path)
    {
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)0x5A); // real pages: tmpfs does not allocate for holes
        long written = 0;
        using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0))
        {
            try
            {
                while (true)
                {
                    file.Write(chunk);
                    written += chunk.Length;
                }
            }
            catch (IOException e) when (e.HResult == 28 || (e.HResult & 0xFFFF) == 28 || e.Message.Contains("space", StringComparison.OrdinalIgnoreCase))
            {
                // ENOSPC: full.
            }
        }
        return new TmpfsFiller(path, written);
    }

    public void Dispose() => File.Delete(Path);
}
