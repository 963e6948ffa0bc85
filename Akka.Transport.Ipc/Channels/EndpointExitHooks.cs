using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Akka.Transport.Ipc.Channels;

/// <summary>
/// Releases the names of this process's live endpoints (lock, life and accept FIFOs, offered segments and FIFO
/// pairs, doorbell semaphore) when the process leaves before their shutdown completed: Main returning or
/// Environment.Exit (AppDomain.ProcessExit), SIGTERM, SIGINT or SIGQUIT. The release is synchronous, idempotent
/// and safe against a concurrent Dispose (<see cref="Rendezvous.ReleaseNames"/>); descriptors, mappings and
/// threads are left to the kernel and the runtime.
/// The signal handlers never cancel the signal, so the application exits exactly as it would without them (and a
/// handler of the application that cancels it runs first when registered later). They are installed once per
/// process, at the first endpoint, and stay for the process's lifetime.
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
            foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT })
            {
                try
                {
                    _signals.Add(PosixSignalRegistration.Create(signal, _ => ReleaseAll()));
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
