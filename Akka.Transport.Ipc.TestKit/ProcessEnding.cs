namespace Akka.Transport.Ipc.TestKit;

/// <summary>How <see cref="MultiNodeSpec.LeaveProcess"/> ends a role's process.</summary>
public enum ProcessEnding
{
    /// <summary>The node program's Main returns the exit code at once (no final barrier, no Dispose of the spec).</summary>
    ReturnFromMain,

    /// <summary><see cref="Environment.Exit(int)"/> with the exit code, from the spec's thread.</summary>
    EnvironmentExit,
}
