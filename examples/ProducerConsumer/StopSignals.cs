using System.Runtime.InteropServices;

namespace ProducerConsumer;

/// <summary>
/// Turns Ctrl+C, SIGTERM and SIGHUP (a closed terminal) into an orderly stop, so the ActorSystem is terminated and
/// the IPC files are removed instead of being left for the next endpoint to sweep.
/// </summary>
internal static class StopSignals
{
    private static readonly List<PosixSignalRegistration> Registrations = []; // kept alive: disposing unregisters

    public static void OnStop(Action<string> stop)
    {
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP })
            Registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                stop($"stopped by {context.Signal}");
            }));
    }
}
