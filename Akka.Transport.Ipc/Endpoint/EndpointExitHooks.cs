using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Akka.Transport.Ipc.Endpoint;

/// <summary>
/// Releases the names of this process's live endpoints (lock, life and accept FIFOs, offered segments and FIFO
/// pairs, doorbell semaphore) when the process leaves before their shutdown completed: Main returning or
/// Environment.Exit (AppDomain.ProcessExit), or SIGTERM, SIGINT, SIGQUIT or SIGHUP that no handler cancelled (their
/// default action ends the process without ProcessExit; since .NET 10 that holds for SIGTERM too). The release is
/// synchronous, idempotent and safe against a concurrent Dispose (<see cref="Rendezvous.ReleaseNames"/>);
/// descriptors, mappings and threads are left to the kernel and the runtime.
/// The signal handlers never cancel a signal and release nothing when a handler that ran before them cancelled it
/// (Akka.NET's CoordinatedShutdown hook, Microsoft.Extensions.Hosting and the examples cancel SIGTERM/SIGINT to shut
/// down in their own time; releasing the names then would let another endpoint claim the port while this one still
/// flushes). They are registered once per process, at the first endpoint. .NET 10 calls a signal's handlers newest
/// first, so these see every handler registered after the first endpoint started (Akka's hook is registered when
/// CoordinatedShutdown is first used); a handler registered before (a Generic Host's lifetime) runs after them, and
/// if it cancels, the names are gone from the signal on while the endpoints still shut down in order.
/// </summary>
internal static class EndpointExitHooks
{
    private static readonly ConcurrentDictionary<Rendezvous, byte> Live = new();
    private static readonly object InstallLock = new();
    private static List<PosixSignalRegistration>? _signals; // rooted here: a collected registration unregisters

    /// <summary>Releases <paramref name="endpoint"/>'s names if the process leaves before it is disposed.</summary>
    public static void Register(Rendezvous endpoint)
    {
        Install();
        Live.TryAdd(endpoint, 0);
    }

    /// <summary>The endpoint released its names itself (Dispose).</summary>
    public static void Unregister(Rendezvous endpoint) => Live.TryRemove(endpoint, out _);

    private static void Install()
    {
        lock (InstallLock)
        {
            if (_signals != null)
                return;
            AppDomain.CurrentDomain.ProcessExit += (_, _) => ReleaseAll();
            _signals = new List<PosixSignalRegistration>();
            foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT, PosixSignal.SIGHUP })
            {
                try
                {
                    _signals.Add(PosixSignalRegistration.Create(signal, context =>
                    {
                        if (!context.Cancel)
                            ReleaseAll();
                    }));
                }
                catch (Exception e) when (e is PlatformNotSupportedException or IOException)
                {
                    // Without the hook the names stay until the next endpoint sweeps them, as after SIGKILL.
                }
            }
        }
    }

    private static void ReleaseAll()
    {
        foreach (var endpoint in Live.Keys)
        {
            try
            {
                endpoint.ReleaseNames();
            }
            catch
            {
                // The process is leaving: one endpoint's failure must not keep the others' names behind.
            }
        }
    }
}
