using System.Diagnostics;

namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>
/// Mounting and unmounting a real tmpfs with mount(8)/umount(8), for the tests that need a small or private file
/// system (root only). The callers own the mount point and decide how to skip when mounting fails.
/// </summary>
public static class TmpfsCommands
{
    /// <summary><c>mount -t tmpfs -o size=SIZE,mode=0700 tmpfs PATH</c>; the exit code and what it printed.</summary>
    public static (int Code, string Output) Mount(string path, string size) =>
        Run("mount", "-t", "tmpfs", "-o", $"size={size},mode=0700", "tmpfs", path);

    /// <summary>Unmounts <paramref name="path"/>, detaching it lazily when something still holds it; null when done.</summary>
    public static string? Unmount(string path)
    {
        var (code, output) = Run("umount", path);
        if (code == 0)
            return null;
        // Something still holds it (a child that outlived its kill?): detach now, the kernel frees it when released.
        var (lazyCode, lazyOutput) = Run("umount", "-l", path);
        return lazyCode == 0 ? null : $"{output} / {lazyOutput}";
    }

    private static (int Code, string Output) Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        try
        {
            using var process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output.Trim());
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, $"cannot run {file}: {e.Message}");
        }
    }
}
