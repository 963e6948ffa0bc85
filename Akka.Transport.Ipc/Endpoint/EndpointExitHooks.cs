using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Akka.Transport.Ipc.Endpoint;

/// <summary>
/// Releases the names of this process's live endpoints (lock, life and accept FIFOs, offered segments and FIFO
/// pairs, doorbell semaphore) when the process leaves before their shutdown completed: Main returning or
/// Environment.Exit or SIGTERM (the runtime's default SIGTERM handling raises AppDomain.ProcessExit), SIGINT or
/// SIGQUIT (which, not cancelled, end the process without ProcessExit). The release is synchronous, idempotent
/// and safe against a concurrent Dispose (<see cref="Rendezvous.ReleaseNames"/>); descriptors, mappings and
/// threads are left to the kernel and the runtime.
/// SIGTERM gets no handler of ours on purpose: hosts (Microsoft.Extensions.Hosting) cancel it to shut down
/// gracefully, and releasing the names then would let another endpoint claim the port while this one still
/// flushes. The SIGINT/SIGQUIT handlers never cancel the signal and skip the release when an earlier handler
/// cancelled it. They are installed once per process, at the first endpoint, and stay for its lifetime.
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
            foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGQUIT })
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
