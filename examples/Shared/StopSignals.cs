using System.Runtime.InteropServices;

namespace Examples.Shared;

/// <summary>
/// Turns Ctrl+C, SIGTERM and SIGHUP (a closed terminal) into an orderly stop, so the ActorSystem is terminated and
/// the IPC files are removed instead of being left for the next endpoint to sweep. This, not standard input, is
/// how a long-running role waits: started in the background, with nohup or as a service, its stdin is /dev/null or closed.
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

    /// <summary>
    /// For a child whose standard input is a pipe held by the parent that started it: end of input means the parent
    /// is gone (even killed), so stop too instead of running on as an orphan.
    /// </summary>
    public static void OnParentGone(Action<string> stop) => _ = Task.Run(() =>
    {
        while (Console.In.ReadLine() != null) { }
        stop("standard input closed: the parent process has gone away");
    });
}
