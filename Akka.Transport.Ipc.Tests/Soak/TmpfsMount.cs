using Akka.Transport.Ipc.Tests.Infrastructure;

namespace Akka.Transport.Ipc.Tests.Soak;

/// <summary>
/// A real tmpfs of a fixed size mounted on an (empty) directory for one test, unmounted on dispose. Mounting needs
/// root (CAP_SYS_ADMIN); <see cref="TryMount"/> says why it could not, so the caller can skip loudly.
/// </summary>
internal sealed class TmpfsMount : IDisposable
{
    private bool _mounted;

    private TmpfsMount(string path) => Path = path;

    public string Path { get; }

    /// <summary>Mounts <c>tmpfs -o size=<paramref name="size"/>,mode=0700</c> on <paramref name="path"/>.</summary>
    public static TmpfsMount? TryMount(string path, string size, out string failure)
    {
        failure = "";
        if (Environment.UserName != "root" && Mono.Unix.Native.Syscall.geteuid() != 0)
        {
            failure = $"mounting a tmpfs needs root; this test process runs as uid {Mono.Unix.Native.Syscall.geteuid()}";
            return null;
        }
        var (code, output) = TmpfsCommands.Mount(path, size);
        if (code != 0)
        {
            failure = $"'mount -t tmpfs -o size={size},mode=0700 tmpfs {path}' failed ({code}): {output}";
            return null;
        }
        return new TmpfsMount(path) { _mounted = true };
    }

    public void Dispose()
    {
        if (!_mounted)
            return;
        _mounted = false;
        if (TmpfsCommands.Unmount(Path) is { } failure)
            throw new IOException($"could not unmount the tmpfs at {Path}: {failure}");
    }
}
