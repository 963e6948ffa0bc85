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

    /// <summary>The life of <see cref="Process"/>: 0, then one more for each restart.</summary>
    public int Life { get; set; }

    /// <summary>
    /// The number of the first barrier that waits for this role's current life (<see cref="BarrierState.Number"/>):
    /// 1 for a first life; for a restarted life, the barrier pending when it was ready, or else the next to begin.
    /// </summary>
    public int FirstBarrier { get; set; } = 1;

    /// <summary>Answered with the new life's address once it is ready, while a restart is under way.</summary>
    public TaskCompletionSource<string>? Restarting { get; set; }

    public int? ExitCode { get; set; }

    /// <summary>Still expected at barriers: running, and neither finished nor removed by the conductor.</summary>
    public bool TakesPart => Fate == RoleFate.Running && !ReportedPassed && SkipReason is null && !HasExited;

    /// <summary>Barrier <paramref name="barrier"/> waits for this role: it takes part, and its life began before the barrier did.</summary>
    public bool AwaitedAt(BarrierState barrier) => TakesPart && FirstBarrier <= barrier.Number;

    public void Send(ConductorMessage message) => Link?.TrySend(message);
}
