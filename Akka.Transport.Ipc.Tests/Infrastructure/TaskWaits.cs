namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>
/// Bounded waits for test methods that await instead of blocking (Task.Wait or .Result in a test method can deadlock
/// xUnit's synchronisation context; the analyzer flags them as xUnit1031).
/// </summary>
internal static class TaskWaits
{
    /// <summary>
    /// True when <paramref name="task"/> completed within <paramref name="timeout"/>, false when it did not; a task that
    /// failed throws its exception, as Wait would.
    /// </summary>
    public static async Task<bool> CompletesWithin(this Task task, TimeSpan timeout)
    {
        if (await Task.WhenAny(task, Task.Delay(timeout)) != task)
            return false;
        await task;
        return true;
    }
}
