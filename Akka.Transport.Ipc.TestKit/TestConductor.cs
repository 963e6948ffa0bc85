using Akka.Actor;
using Akka.Remote.Transport;
using Akka.Transport.Ipc.TestKit.Node;
using Akka.Transport.Ipc.TestKit.Protocol;

namespace Akka.Transport.Ipc.TestKit;

/// <summary>
/// Acts on roles from inside a spec, as Akka.Remote.TestKit's TestConductor does. Every call returns a task that
/// completes once the action has taken effect (the process is gone, stopped, running again, or the throttle is set).
/// The conductor runs in the test process and reaches the nodes over its own channel, never over the transport
/// under test. After a role is killed or exited, barriers wait only for the roles still running.
/// </summary>
public sealed class TestConductor
{
    private readonly ConductorClient _client;
    private readonly MultiNodeConfig _config;

    internal TestConductor(ConductorClient client, MultiNodeConfig config)
    {
        _client = client;
        _config = config;
    }

    /// <summary>Terminates the role's ActorSystem and exits its process with <paramref name="exitCode"/>.</summary>
    public Task Exit(RoleName node, int exitCode) => Command("exit", node, code: exitCode);

    /// <summary>
    /// Kills the role's process with SIGKILL: no clean-up of any kind runs in it. Completes once the process is gone,
    /// with the moment the signal was sent as a <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> value (the
    /// host's monotonic clock, the same in every process), so a spec can time how fast the death is noticed.
    /// </summary>
    public async Task<long> Kill(RoleName node) => (await Command("kill", node).ConfigureAwait(false)).Timestamp;

    /// <summary>
    /// Sends <paramref name="signal"/> (SIGTERM, SIGINT…) to the role's process, which is then expected to end: it
    /// leaves on purpose whatever its exit code, and later barriers do not wait for it. Completes once the process is
    /// gone (within 30 s, else it fails) with its exit code (128 + the signal when the signal killed it), so a spec
    /// can assert how an application reacts to <c>docker stop</c> or Ctrl+C.
    /// </summary>
    public async Task<int> Signal(RoleName node, Mono.Unix.Native.Signum signal) =>
        (await Command("signal", node, code: (int)signal).ConfigureAwait(false)).Code;

    /// <summary>
    /// Completes with the role's exit code once its process is gone (it must go within 30 s, else this fails): for a
    /// role that ends its own process (<see cref="MultiNodeSpec.LeaveProcess"/>), so a spec can look at what the
    /// process left behind only after it is gone. Does not change how the role is judged.
    /// </summary>
    public async Task<int> AwaitExit(RoleName node) => (await Command("await-exit", node).ConfigureAwait(false)).Code;

    /// <summary>
    /// Starts the role again in a fresh process, its next life, once its process was ended on purpose (<see cref="Kill"/>,
    /// <see cref="Exit"/>, <see cref="Signal"/> or its own <see cref="MultiNodeSpec.LeaveProcess"/>): the same spec class
    /// and test method run from the top, with <see cref="MultiNodeSpec.Life"/> one higher (1 for the first restart), on a
    /// new ActorSystem (new port, same system name), so the spec branches on <c>Life</c>. Completes with the new life's
    /// address once its ActorSystem is up and it has reported ready (within 90 s, else this fails). Barriers: the new
    /// life is waited for from the barrier pending when it became ready on (the others may already wait there; the caller
    /// cannot, it is blocked here), else from the next barrier to begin; so it must enter the next barrier the caller
    /// enters, and barriers that passed before it was ready never waited for it. The role is judged by its last life.
    /// </summary>
    public async Task<Address> Restart(RoleName node) => Address.Parse((await Command("restart", node).ConfigureAwait(false)).Address!);

    /// <summary>Stops the role's process with SIGSTOP; it keeps its resources and counts for barriers.</summary>
    public Task Freeze(RoleName node) => Command("freeze", node);

    /// <summary>Resumes a frozen role with SIGCONT.</summary>
    public Task Thaw(RoleName node) => Command("thaw", node);

    /// <summary>Drops everything between <paramref name="node"/> and <paramref name="target"/> in <paramref name="direction"/>, on <paramref name="node"/>.</summary>
    public Task Blackhole(RoleName node, RoleName target, ThrottleTransportAdapter.Direction direction) =>
        Throttle(node, target, direction, 0f);

    /// <summary>Ends a blackhole or throttle between <paramref name="node"/> and <paramref name="target"/>.</summary>
    public Task PassThrough(RoleName node, RoleName target, ThrottleTransportAdapter.Direction direction) =>
        Throttle(node, target, direction, -1f);

    /// <summary>
    /// Limits <paramref name="node"/>'s traffic with <paramref name="target"/> to <paramref name="rateMBit"/> Mbit/s
    /// (0 blackholes, a negative rate passes through). Needs <see cref="MultiNodeConfig.TestTransport"/>.
    /// </summary>
    public Task Throttle(RoleName node, RoleName target, ThrottleTransportAdapter.Direction direction, float rateMBit)
    {
        if (!_config.TestTransport)
            throw new InvalidOperationException("Throttle, Blackhole and PassThrough need TestTransport = true in the MultiNodeConfig.");
        return Command("throttle", node, target, direction.ToString(), rateMBit);
    }

    private Task<ConductorMessage> Command(string operation, RoleName node, RoleName? target = null, string? direction = null, float rate = 0, int code = 0)
    {
        _config.RoleNamed(node.Name);
        if (target is not null)
            _config.RoleNamed(target.Name);
        return _client.CommandAsync(new ConductorMessage
        {
            Operation = operation,
            Role = node.Name,
            Target = target?.Name,
            Direction = direction,
            Rate = rate,
            Code = code,
        });
    }
}
