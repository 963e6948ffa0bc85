using Akka.Transport.Ipc.TestKit.Protocol;
using Mono.Unix.Native;

namespace Akka.Transport.Ipc.TestKit.Conductor;

/// <summary>
/// The TestConductor's commands, carried out by the conductor: signals for kill, freeze and thaw (it owns the
/// processes), a request to the node for exit and throttling. Each is answered once it has taken effect.
/// </summary>
internal sealed partial class RunConductor
{
    private static readonly TimeSpan CommandLimit = TimeSpan.FromSeconds(30);

    private async Task ExecuteAsync(RoleState requester, ConductorMessage command)
    {
        string? failure;
        long signalledAt = 0;
        int exitCode = 0;
        string? address = null;
        try
        {
            if (command.Operation == "restart")
                (failure, address) = await RestartAsync(command).ConfigureAwait(false);
            else if (command.Operation == "kill")
                (failure, signalledAt) = await KillAsync(command).ConfigureAwait(false);
            else if (command.Operation == "signal")
                (failure, exitCode) = await SignalAsync(command).ConfigureAwait(false);
            else if (command.Operation == "await-exit")
                (failure, exitCode) = await AwaitExitAsync(command).ConfigureAwait(false);
            else
                failure = await CarryOutAsync(command).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failure = e.Message;
        }
        _output.Conductor($"{command.Operation} {command.Role}{(command.Target is null ? "" : " → " + command.Target)} "
            + $"for {requester.Name}: {failure ?? "done"}");
        requester.Send(new ConductorMessage { Kind = "reply", Id = command.Id, Ok = failure is null, Text = failure, Timestamp = signalledAt, Code = exitCode, Address = address });
    }

    /// <summary>
    /// SIGKILL, answered once the process is gone, with the moment the signal was sent on the host's monotonic clock
    /// (Stopwatch.GetTimestamp(), CLOCK_MONOTONIC, comparable across processes): a spec measuring how fast a death is
    /// noticed counts from there, not from its request, which the conductor may take a while to act on.
    /// </summary>
    private async Task<(string? Failure, long SignalledAt)> KillAsync(ConductorMessage command)
    {
        if (command.Role is null || !_roles.TryGetValue(command.Role, out var role) || role.Process is not { } process)
            return ($"unknown role '{command.Role}'", 0);
        lock (_gate)
        {
            if (role.Fate == RoleFate.Running)
                role.Fate = RoleFate.Killed;
        }
        long signalledAt = System.Diagnostics.Stopwatch.GetTimestamp();
        process.Signal(Signum.SIGKILL);
        return (await ExitedWithinAsync(process) ? null : $"{role.Name} was not gone {CommandLimit} after SIGKILL", signalledAt);
    }

    /// <summary>
    /// Sends the signal numbered <see cref="ConductorMessage.Code"/>; the role counts as leaving on purpose whatever
    /// its exit code. Answered once the process is gone, with its exit code (128 + the signal when it killed it).
    /// </summary>
    private async Task<(string? Failure, int ExitCode)> SignalAsync(ConductorMessage command)
    {
        if (command.Role is null || !_roles.TryGetValue(command.Role, out var role) || role.Process is not { } process)
            return ($"unknown role '{command.Role}'", 0);
        lock (_gate)
        {
            if (role.Fate == RoleFate.Running)
                role.Fate = RoleFate.ExitedOnPurpose;
        }
        if (!process.Signal((Signum)command.Code))
            return ($"{role.Name} is not running", 0);
        if (!await ExitedWithinAsync(process))
            return ($"{role.Name} was still running {CommandLimit} after signal {(Signum)command.Code}", 0);
        return (null, await process.Exited.ConfigureAwait(false));
    }

    /// <summary>Answered once the role's process is gone (it must go within the command limit), with its exit code.</summary>
    private async Task<(string? Failure, int ExitCode)> AwaitExitAsync(ConductorMessage command)
    {
        if (command.Role is null || !_roles.TryGetValue(command.Role, out var role) || role.Process is not { } process)
            return ($"unknown role '{command.Role}'", 0);
        if (!await ExitedWithinAsync(process))
            return ($"{role.Name} was still running {CommandLimit} later", 0);
        return (null, await process.Exited.ConfigureAwait(false));
    }

    private async Task<string?> CarryOutAsync(ConductorMessage command)
    {
        if (command.Role is null || !_roles.TryGetValue(command.Role, out var role))
            return $"unknown role '{command.Role}'";
        var process = role.Process;
        if (process is null)
            return $"{role.Name} has no process";

        switch (command.Operation)
        {
            case "freeze":
                if (!process.Signal(Signum.SIGSTOP))
                    return $"{role.Name} is not running";
                return await process.WaitForStateAsync(s => s == 'T', CommandLimit).ConfigureAwait(false)
                    ? null : $"{role.Name} did not stop after SIGSTOP";

            case "thaw":
                if (!process.Signal(Signum.SIGCONT))
                    return $"{role.Name} is not running";
                return await process.WaitForStateAsync(s => s != 'T', CommandLimit).ConfigureAwait(false)
                    ? null : $"{role.Name} did not resume after SIGCONT";

            case "exit":
                lock (_gate)
                {
                    if (role.Fate == RoleFate.Running)
                        role.Fate = RoleFate.ExitedOnPurpose;
                }
                role.Send(new ConductorMessage { Kind = "exit", Id = NextRequestId(), Code = command.Code });
                if (await ExitedWithinAsync(process))
                    return null;
                process.Signal(Signum.SIGKILL);
                return $"{role.Name} did not exit within {CommandLimit} of the exit request and was killed";

            case "throttle":
                return await ThrottleAsync(role, command).ConfigureAwait(false);

            default:
                return $"unknown command '{command.Operation}'";
        }
    }

    private async Task<string?> ThrottleAsync(RoleState node, ConductorMessage command)
    {
        string? targetAddress;
        lock (_gate)
            targetAddress = command.Target is not null && _roles.TryGetValue(command.Target, out var target) ? target.Address : null;
        if (targetAddress is null)
            return $"unknown target role '{command.Target}'";

        int id = NextRequestId();
        var reply = new TaskCompletionSource<ConductorMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _nodeRequests[id] = reply;
        node.Send(new ConductorMessage
        {
            Kind = "throttle",
            Id = id,
            Target = targetAddress,
            Direction = command.Direction,
            Rate = command.Rate,
        });
        try
        {
            var answer = await reply.Task.WaitAsync(CommandLimit).ConfigureAwait(false);
            return answer.Ok ? null : $"{node.Name}: {answer.Text}";
        }
        catch (TimeoutException)
        {
            return $"{node.Name} did not apply the throttle within {CommandLimit}";
        }
        finally
        {
            _nodeRequests.TryRemove(id, out _);
        }
    }

    private static async Task<bool> ExitedWithinAsync(RoleProcess process)
    {
        try
        {
            await process.Exited.WaitAsync(CommandLimit).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private int NextRequestId() => Interlocked.Increment(ref _nextRequestId);
}
