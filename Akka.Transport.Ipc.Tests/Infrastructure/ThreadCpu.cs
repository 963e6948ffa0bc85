using System.Globalization;

namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>CPU time of one thread of this process, found by its name in /proc/self/task/*/comm.</summary>
internal static class ThreadCpu
{
    /// <summary>The kernel thread id of the thread named <paramref name="name"/> (comm holds at most 15 characters).</summary>
    public static int FindThread(string name)
    {
        string comm = name.Length > 15 ? name[..15] : name;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            string text;
            try { text = File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n'); }
            catch (IOException) { continue; } // the thread ended meanwhile
            if (text == comm)
                return int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture);
        }
        throw new InvalidOperationException($"no thread named '{comm}' in this process");
    }

    /// <summary>Time the thread has spent on a CPU (schedstat: nanoseconds).</summary>
    public static TimeSpan OnCpu(int tid)
    {
        string text = File.ReadAllText($"/proc/self/task/{tid}/schedstat");
        long nanos = long.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
        return TimeSpan.FromTicks(nanos / 100);
    }
}
