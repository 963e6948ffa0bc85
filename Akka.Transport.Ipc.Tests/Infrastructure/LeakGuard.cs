using System.Collections.Concurrent;

namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>
/// Last-resort cleanup at test-host exit for resources whose owner never got disposed,
/// e.g. a directory created in a test class constructor whose ActorSystem then failed to start.
/// </summary>
internal static class LeakGuard
{
    private static readonly ConcurrentDictionary<IDisposable, byte> Live = new();

    static LeakGuard() => AppDomain.CurrentDomain.ProcessExit += (_, _) => DisposeAll();

    public static void Track(IDisposable resource) => Live.TryAdd(resource, 0);

    public static void Untrack(IDisposable resource) => Live.TryRemove(resource, out _);

    private static void DisposeAll()
    {
        foreach (var resource in Live.Keys)
        {
            try
            {
                resource.Dispose();
            }
            catch
            {
                // Best effort: the process is exiting anyway.
            }
        }
    }
}
