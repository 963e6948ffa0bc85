using System.Collections.Concurrent;
using System.Net.Sockets;
using Akka.Transport.Ipc.TestKit.Protocol;

namespace Akka.Transport.Ipc.TestKit.Conductor;

/// <summary>
/// The conductor of one run, in the test process: accepts the nodes on a Unix domain socket, hands out addresses
/// once every role is ready, runs the barriers and carries out the nodes' commands (Commands.cs). It judges each role
/// by what it reports and how its process ends; the first failure "poisons" the run, so every waiting and later
/// barrier fails at once, naming it, instead of waiting for a time-out.
/// All state is guarded by <see cref="_gate"/>; waiting (for a process, for a node's reply) happens outside it.
/// </summary>
internal sealed partial class RunConductor : IDisposable
{
    /// <summary>How long roles get to report after the run failed before they are killed.</summary>
    private static readonly TimeSpan PoisonGrace = TimeSpan.FromSeconds(5);

    private readonly object _gate = new();
    private readonly MultiNodeConfig _config;
    private readonly RunOutput _output;
    private readonly Socket _listener;
    private readonly Dictionary<string, RoleState> _roles;
    private readonly List<string> _failures = new();
    private readonly List<MessageChannel> _channels = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<ConductorMessage>> _nodeRequests = new();
    private readonly TaskCompletionSource _allExited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private BarrierState? _barrier;
    private int _barriersBegun;
    private string? _poison;
    private bool _addressesSent;
    private int _nextRequestId;

    public RunConductor(MultiNodeConfig config, string socketPath, RunOutput output)
    {
        _config = config;
        _output = output;
        _roles = config.Roles.ToDictionary(r => r.Name, r => new RoleState(r.Name));
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        _listener.Listen(config.Roles.Count + 4);
        _ = Task.Run(AcceptAsync);
    }

    /// <summary>Completes when every role's process has exited.</summary>
    public Task Completion => _allExited.Task;

    public void AddProcess(string role, RoleProcess process)
    {
        lock (_gate)
            _roles[role].Process = process;
        _output.Conductor($"started {process.Label} (pid {process.Pid})");
        process.Exited.ContinueWith(t => OnExited(process, t.IsCompletedSuccessfully ? t.Result : -1), TaskScheduler.Default);
    }

    /// <summary>Run-level failures (barriers, time-outs) followed by each failed role's failure.</summary>
    public IReadOnlyList<(string? Role, string Failure)> Failures
    {
        get
        {
            lock (_gate)
            {
                return _failures.Select(f => ((string?)null, f))
                    .Concat(_roles.Values.Where(r => r.Fate == RoleFate.Failed).Select(r => ((string?)r.Name, r.Failure ?? "failed")))
                    .ToList();
            }
        }
    }

    /// <summary>Each role that skipped the spec, with its reason.</summary>
    public IReadOnlyDictionary<string, string> SkipReasons
    {
        get
        {
            lock (_gate)
                return _roles.Values.Where(r => r.SkipReason is not null).ToDictionary(r => r.Name, r => r.SkipReason!);
        }
    }

    public IReadOnlyDictionary<string, RoleFate> Fates
    {
        get
        {
            lock (_gate)
                return _roles.ToDictionary(r => r.Key, r => r.Value.Fate);
        }
    }

    /// <summary>Ends the run: records <paramref name="reason"/> and kills every role still running.</summary>
    public void Abort(string reason)
    {
        List<RoleState> running;
        lock (_gate)
        {
            _failures.Add(reason);
            Poison(reason);
            running = _roles.Values.Where(r => !r.HasExited).ToList();
            foreach (var role in running)
            {
                if (role.Fate == RoleFate.Running)
                {
                    role.Fate = RoleFate.Failed;
                    role.Failure ??= "still running when the run was aborted";
                }
            }
        }
        _output.Conductor($"aborting: {reason}");
        foreach (var role in running)
            role.Process?.Signal(Mono.Unix.Native.Signum.SIGKILL);
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            var channel = new MessageChannel(socket);
            lock (_gate)
                _channels.Add(channel);
            _ = Task.Run(() => ServeAsync(channel));
        }
    }

    private async Task ServeAsync(MessageChannel channel)
    {
        RoleState? role = null;
        try
        {
            await channel.RunReaderAsync(message =>
            {
                if (role is null)
                {
                    if (message.Kind != "join" || message.Role is null || !_roles.TryGetValue(message.Role, out role))
                        throw new FormatException($"a node's first message must be join with a role: {message.ToLine()}");
                    lock (_gate)
                        role.Link = channel;
                    return;
                }
                OnMessage(role, message);
            }).ConfigureAwait(false);
        }
        catch (FormatException e)
        {
            _output.Conductor($"dropped a node connection: {e.Message}");
            channel.Dispose();
        }
    }

    private void OnMessage(RoleState role, ConductorMessage message)
    {
        switch (message.Kind)
        {
            case "ready":
                OnReady(role, message.Address);
                break;
            case "barrier":
                OnBarrier(role, message.Id, message.Name ?? "");
                break;
            case "command":
                _ = Task.Run(() => ExecuteAsync(role, message));
                break;
            case "reply":
                if (_nodeRequests.TryRemove(message.Id, out var request))
                    request.TrySetResult(message);
                break;
            case "result":
                OnResult(role, message.Ok, message.Text);
                break;
            case "leaving":
                lock (_gate)
                {
                    if (role.Fate == RoleFate.Running)
                        role.Fate = RoleFate.ExitedOnPurpose;
                    _output.Conductor($"{role.Name} leaves its process on purpose");
                    Reply(role, message.Id, true, null);
                    CheckBarrier();
                }
                break;
            case "skipped":
                OnSkipped(role, message.Text ?? "skipped");
                break;
            default:
                _output.Conductor($"ignored '{message.Kind}' from {role.Name}");
                break;
        }
    }

    private void OnReady(RoleState role, string? address)
    {
        lock (_gate)
        {
            role.Address = address;
            _output.Conductor($"{role.Name}{(role.Life == 0 ? "" : "#" + role.Life)} is ready at {address}");
            if (_poison is not null)
            {
                role.Send(new ConductorMessage { Kind = "addresses", Ok = false, Text = _poison });
                role.Restarting?.TrySetException(new InvalidOperationException(_poison));
                return;
            }
            if (role.Restarting is { } restarting)
            {
                OnRestartedReady(role, restarting);
                return;
            }
            if (_addressesSent || _roles.Values.Any(r => r.Address is null))
                return;
            _addressesSent = true;
            var table = _roles.Values.ToDictionary(r => r.Name, r => r.Address!);
            foreach (var each in _roles.Values)
                each.Send(new ConductorMessage { Kind = "addresses", Ok = true, Addresses = table });
            _output.Conductor("every role is ready: the test method starts");
        }
    }

    private void OnResult(RoleState role, bool ok, string? text)
    {
        lock (_gate)
        {
            if (ok)
            {
                role.ReportedPassed = true;
                _output.Conductor($"{role.Name} passed");
            }
            else if (role.Fate == RoleFate.Running)
            {
                role.Fate = RoleFate.Failed;
                role.Failure = text ?? "failed";
                Poison($"role {role.Name} failed: {FirstLine(role.Failure)}");
            }
            CheckBarrier();
        }
    }

    private void OnSkipped(RoleState role, string reason)
    {
        lock (_gate)
        {
            role.SkipReason = reason;
            _output.Conductor($"{role.Name} skipped: {reason}");
            CheckBarrier();
        }
    }

    private void OnExited(RoleProcess process, int exitCode)
    {
        lock (_gate)
        {
            string name = process.Role;
            var role = _roles[name];
            if (!ReferenceEquals(role.Process, process))
                return; // an earlier life, already judged when the role was restarted
            role.HasExited = true;
            role.ExitCode = exitCode;
            role.Restarting?.TrySetException(new InvalidOperationException($"{process.Label} exited with code {exitCode} before it was ready"));
            _output.Conductor($"{process.Label} exited with code {exitCode}");
            if (role.Fate == RoleFate.Running)
            {
                if (role.ReportedPassed && exitCode == 0)
                {
                    role.Fate = RoleFate.Passed;
                }
                else if (role.SkipReason is not null && exitCode == 0)
                {
                    role.Fate = RoleFate.Skipped;
                }
                else
                {
                    role.Fate = RoleFate.Failed;
                    role.Failure = role.ReportedPassed || role.SkipReason is not null
                        ? $"reported {(role.ReportedPassed ? "success" : "a skip")} but exited with code {exitCode}"
                        : $"its process exited with code {exitCode} before the spec finished";
                    Poison($"role {name} failed: {role.Failure}");
                }
            }
            CheckBarrier();
            if (_roles.Values.All(r => r.HasExited))
                _allExited.TrySetResult();
        }
    }

    /// <summary>
    /// The run has failed: answer everyone waiting, and every later barrier, with <paramref name="reason"/>; roles
    /// still running <see cref="PoisonGrace"/> later (busy in the spec, not at a barrier) are killed.
    /// </summary>
    private void Poison(string reason)
    {
        if (_poison is not null)
            return;
        _poison = reason;
        _ = Task.Delay(PoisonGrace).ContinueWith(_ => KillStragglers(), TaskScheduler.Default);
        if (!_addressesSent)
        {
            _addressesSent = true;
            foreach (var role in _roles.Values.Where(r => r.Address is not null))
                role.Send(new ConductorMessage { Kind = "addresses", Ok = false, Text = reason });
        }
        if (_barrier is { } barrier)
            FailBarrier(barrier, $"Barrier '{barrier.Name}' failed: {reason}");
    }

    private void KillStragglers()
    {
        List<RoleState> stragglers;
        lock (_gate)
        {
            stragglers = _roles.Values.Where(r => !r.HasExited && !r.ReportedPassed).ToList();
            foreach (var role in stragglers.Where(r => r.Fate == RoleFate.Running))
            {
                role.Fate = RoleFate.Failed;
                role.Failure = $"still running {PoisonGrace.TotalSeconds:0} s after the run failed; killed";
            }
        }
        foreach (var role in stragglers)
        {
            _output.Conductor($"killing {role.Name}: still running {PoisonGrace.TotalSeconds:0} s after the run failed");
            role.Process?.Signal(Mono.Unix.Native.Signum.SIGKILL);
        }
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].TrimEnd();

    public void Dispose()
    {
        _listener.Dispose();
        lock (_gate)
        {
            foreach (var channel in _channels)
                channel.Dispose();
        }
        foreach (var request in _nodeRequests.Values)
            request.TrySetCanceled();
    }
}
