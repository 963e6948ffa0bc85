using Akka.Transport.Ipc.TestKit.Protocol;

namespace Akka.Transport.Ipc.TestKit.Conductor;

/// <summary>How a role's process ended, or that it still runs.</summary>
internal enum RoleFate
{
    Running,
    Passed,
    Failed,
    /// <summary>Killed by the conductor on a spec's request: counts as passed.</summary>
    Killed,
    /// <summary>Exited by the conductor on a spec's request: counts as passed whatever its exit code.</summary>
    ExitedOnPurpose,
    /// <summary>The spec skipped itself on this role (Skip.If) and the process exited 0; see <see cref="MultiNodeRunResult.Skipped"/>.</summary>
    Skipped,
}

/// <summary>The conductor's view of one role. Guarded by the conductor's lock.</summary>
internal sealed class RoleState
{
    public RoleState(string name) => Name = name;

    public string Name { get; }

    public RoleProcess? Process { get; set; }

    public MessageChannel? Link { get; set; }

    public string? Address { get; set; }

    public RoleFate Fate { get; set; } = RoleFate.Running;

    /// <summary>The node reported that the spec method and the final barrier passed.</summary>
    public bool ReportedPassed { get; set; }

    /// <summary>Why the spec skipped itself on this role, once it said so; null otherwise.</summary>
    public string? SkipReason { get; set; }

    /// <summary>What went wrong on this role (its exception, or how its process ended).</summary>
    public string? Failure { get; set; }

    public bool HasExited { get; set; }

    public int? ExitCode { get; set; }

    /// <summary>Still expected at barriers: running, and neither finished nor removed by the conductor.</summary>
    public bool TakesPart => Fate == RoleFate.Running && !ReportedPassed && SkipReason is null && !HasExited;

    public void Send(ConductorMessage message) => Link?.TrySend(message);
}
