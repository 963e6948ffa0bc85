using Akka.Transport.Ipc.TestKit.Protocol;

namespace Akka.Transport.Ipc.TestKit.Conductor;

/// <summary>
/// Restarts (<see cref="TestConductor.Restart"/>): a role whose process was ended on purpose gets a new process, its
/// next life, which runs the same test method from the top and joins the run once its ActorSystem is up. It is
/// waited for from the barrier pending when it became ready (if any) on (<see cref="RoleState.FirstBarrier"/>): the
/// role that asked for the restart is blocked in it until then, so that barrier is the next one it enters itself.
/// </summary>
internal sealed partial class RunConductor
{
    /// <summary>How long a new life gets to start its process and ActorSystem and report ready.</summary>
    private static readonly TimeSpan RestartLimit = TimeSpan.FromSeconds(90);

    /// <summary>Starts a role's process for a life (set by <see cref="MultiNodeRun"/>: it knows how roles are started).</summary>
    public Func<string, int, RoleProcess>? LifeStarter { get; set; }

    private async Task<(string? Failure, string? Address)> RestartAsync(ConductorMessage command)
    {
        if (command.Role is null || !_roles.TryGetValue(command.Role, out var role) || role.Process is not { } previous)
            return ($"unknown role '{command.Role}'", null);
        lock (_gate)
        {
            if (role.Restarting is not null)
                return ($"{role.Name} is already being restarted", null);
            if (role.Fate is not (RoleFate.Killed or RoleFate.ExitedOnPurpose))
                return ($"{role.Name} can be restarted only once its process was ended on purpose (Kill, Exit, Signal, LeaveProcess); it is {role.Fate}", null);
        }
        if (!await ExitedWithinAsync(previous))
            return ($"{role.Name}'s process was still running {CommandLimit} after it was ended", null);
        // The previous life is judged (OnExited) right after its process exits: wait for that, so nothing of it is
        // taken for the new life's.
        var deadline = DateTime.UtcNow + CommandLimit;
        while (!HasExited(role))
        {
            if (DateTime.UtcNow > deadline)
                return ($"{role.Name}'s exit was not recorded within {CommandLimit}", null);
            await Task.Delay(5).ConfigureAwait(false);
        }

        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        int life;
        lock (_gate)
        {
            if (_poison is not null)
                return ($"the run has failed: {_poison}", null);
            life = ++role.Life;
            role.Restarting = ready;
            role.Fate = RoleFate.Running;
            role.HasExited = false;
            role.ExitCode = null;
            role.Address = null;
            role.FirstBarrier = int.MaxValue; // no barrier waits for it until it is ready
        }
        try
        {
            AddProcess(role.Name, LifeStarter?.Invoke(role.Name, life) ?? throw new InvalidOperationException("the run cannot start lives"));
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                role.Restarting = null;
                role.HasExited = true;
                role.Fate = RoleFate.ExitedOnPurpose;
            }
            return ($"{role.Name}#{life} could not start: {e.Message}", null);
        }
        try
        {
            return (null, await ready.Task.WaitAsync(RestartLimit).ConfigureAwait(false));
        }
        catch (Exception e)
        {
            return ($"{role.Name}#{life} did not get ready: {(e is TimeoutException ? $"not within {RestartLimit}" : e.Message)}", null);
        }
    }

    private bool HasExited(RoleState role)
    {
        lock (_gate)
            return role.HasExited;
    }

    /// <summary>
    /// A restarted life reported its address: it gets every role's, and takes part from the pending barrier (or the
    /// next) on. Under the lock.
    /// </summary>
    private void OnRestartedReady(RoleState role, TaskCompletionSource<string> restarting)
    {
        role.Restarting = null;
        role.FirstBarrier = _barrier?.Number ?? _barriersBegun + 1;
        var table = _roles.Values.Where(r => r.Address is not null).ToDictionary(r => r.Name, r => r.Address!);
        role.Send(new ConductorMessage { Kind = "addresses", Ok = true, Addresses = table });
        restarting.TrySetResult(role.Address!);
    }
}
