using Xunit.Sdk;

namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>
/// Runs every step of a test's teardown even when an earlier one fails, then reports all failures at once, so a
/// failed check never skips the cleanup after it and a cleanup never hides a failed check.
/// </summary>
internal static class Cleanup
{
    public static void RunAll(params Action[] steps)
    {
        var failures = new List<Exception>();
        foreach (var step in steps)
        {
            try
            {
                step();
            }
            catch (Exception e)
            {
                failures.Add(e);
            }
        }
        if (failures.Count == 1)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failures[0]);
        if (failures.Count > 1)
            throw new XunitException(string.Join(Environment.NewLine + "---" + Environment.NewLine, failures.Select(f => f.Message)));
    }
}
