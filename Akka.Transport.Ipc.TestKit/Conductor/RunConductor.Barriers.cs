using Akka.Transport.Ipc.TestKit.Protocol;

namespace Akka.Transport.Ipc.TestKit.Conductor;

/// <summary>
/// Barriers: one at a time, as in Akka.Remote.TestKit. A barrier passes when every role that
/// <see cref="RoleState.TakesPart"/> has entered it; it fails when a role enters a different one, when a role fails,
/// or when <see cref="MultiNodeConfig.BarrierTimeout"/> passes after the first arrival — naming the missing roles.
/// A restarted life is waited for from the barrier pending when it was ready (else the next one) on; barriers that
/// passed before never waited for it.
/// </summary>
internal sealed partial class RunConductor
{
    private void OnBarrier(RoleState role, int id, string name)
    {
        lock (_gate)
        {
            if (_poison is not null)
            {
                Reply(role, id, false, $"Barrier '{name}' failed: {_poison}");
                return;
            }
            if (_barrier is { } pending && pending.Name != name)
            {
                string text = $"Role {role.Name} entered barrier '{name}' while barrier '{pending.Name}' was waiting for it (arrived: {pending.ArrivedNames})";
                _failures.Add(text);
                Reply(role, id, false, text);
                Poison(text);
                return;
            }
            if (_barrier is null)
            {
                var barrier = new BarrierState(name, ++_barriersBegun);
                _barrier = barrier;
                _ = Task.Delay(_config.BarrierTimeout).ContinueWith(_ => OnBarrierTimeout(barrier), TaskScheduler.Default);
            }
            _barrier.Arrived[role] = id;
            CheckBarrier();
        }
    }

    /// <summary>Passes the pending barrier if every role still taking part has arrived. Call under the lock.</summary>
    private void CheckBarrier()
    {
        if (_barrier is not { } barrier)
            return;
        if (_roles.Values.Where(r => r.AwaitedAt(barrier)).Any(r => !barrier.Arrived.ContainsKey(r)))
            return;
        _barrier = null;
        foreach (var (role, id) in barrier.Arrived)
            Reply(role, id, true, null);
        _output.Conductor($"barrier '{barrier.Name}' passed ({barrier.ArrivedNames}) after {(DateTime.UtcNow - barrier.Started).TotalSeconds:F2} s");
    }

    private void OnBarrierTimeout(BarrierState barrier)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_barrier, barrier))
                return;
            var missing = _roles.Values.Where(r => r.AwaitedAt(barrier) && !barrier.Arrived.ContainsKey(r)).ToList();
            string text = $"Barrier '{barrier.Name}' timed out after {_config.BarrierTimeout.TotalSeconds:0.###} s: "
                + $"{BarrierState.Names(missing)} never arrived (arrived: {barrier.ArrivedNames})";
            _failures.Add(text);
            FailBarrier(barrier, text);
            Poison(text);
        }
    }

    private void FailBarrier(BarrierState barrier, string text)
    {
        if (ReferenceEquals(_barrier, barrier))
            _barrier = null;
        foreach (var (role, id) in barrier.Arrived)
            Reply(role, id, false, text);
        _output.Conductor(text);
    }

    private static void Reply(RoleState role, int id, bool ok, string? text) =>
        role.Send(new ConductorMessage { Kind = "reply", Id = id, Ok = ok, Text = text });
}
