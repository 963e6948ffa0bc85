using System.Collections.Concurrent;
using Akka.Transport.Ipc.TestKit.Protocol;

namespace Akka.Transport.Ipc.TestKit.Node;

/// <summary>
/// A node's connection to the conductor: requests (barriers, commands) are matched to their replies by id; the
/// conductor's own requests (throttle, exit) go to <see cref="CommandHandler"/>. When the conductor goes away (the
/// test ended, timed out or its process died) every pending request fails and <see cref="ConductorLost"/> runs, so
/// no node outlives its test.
/// </summary>
internal sealed class ConductorClient : IDisposable
{
    private readonly MessageChannel _channel;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<ConductorMessage>> _pending = new();
    private readonly TaskCompletionSource<ConductorMessage> _addresses = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextId;
    private volatile bool _disposed;

    private ConductorClient(MessageChannel channel) => _channel = channel;

    /// <summary>Runs when the connection ends without <see cref="Dispose"/>: the node must stop at once.</summary>
    public event Action? ConductorLost;

    /// <summary>Handles the conductor's <c>throttle</c> and <c>exit</c> requests; returns the failure text or null.</summary>
    public Func<ConductorMessage, Task<string?>>? CommandHandler { get; set; }

    public static ConductorClient Connect(string socketPath, string role)
    {
        var client = new ConductorClient(MessageChannel.Connect(socketPath));
        client.Send(new ConductorMessage { Kind = "join", Role = role, Pid = Environment.ProcessId });
        _ = Task.Run(client.ReadAsync);
        return client;
    }

    /// <summary>Reports this node's address and returns every role's address once all roles are ready.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ReadyAsync(string address, TimeSpan timeout)
    {
        Send(new ConductorMessage { Kind = "ready", Address = address });
        ConductorMessage answer;
        try
        {
            answer = await _addresses.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The other roles were not all ready within {timeout}.");
        }
        if (!answer.Ok)
            throw new MultiNodeBarrierException(answer.Text ?? "The run failed before every role was ready.");
        return answer.Addresses ?? new Dictionary<string, string>();
    }

    /// <summary>Waits at barrier <paramref name="name"/>; throws <see cref="MultiNodeBarrierException"/> if it fails.</summary>
    public async Task EnterBarrierAsync(string name)
    {
        var reply = await RequestAsync(new ConductorMessage { Kind = "barrier", Name = name }).ConfigureAwait(false);
        if (!reply.Ok)
            throw new MultiNodeBarrierException(reply.Text ?? $"Barrier '{name}' failed.");
    }

    /// <summary>Asks the conductor to act on a role; completes with its reply when it has taken effect.</summary>
    public async Task<ConductorMessage> CommandAsync(ConductorMessage command)
    {
        command.Kind = "command";
        var reply = await RequestAsync(command).ConfigureAwait(false);
        if (!reply.Ok)
            throw new InvalidOperationException(reply.Text ?? $"The conductor could not {command.Operation} {command.Role}.");
        return reply;
    }

    /// <summary>The spec method's outcome; the conductor judges the run by it.</summary>
    public void ReportResult(bool ok, string? text) => Send(new ConductorMessage { Kind = "result", Ok = ok, Text = text });

    /// <summary>
    /// This role ends its process on purpose now (<see cref="MultiNodeSpec.LeaveProcess"/>); returns once the conductor
    /// knows, so it never takes the exit for a crash.
    /// </summary>
    public void ReportLeaving() => RequestAsync(new ConductorMessage { Kind = "leaving" }).GetAwaiter().GetResult();

    /// <summary>The spec skipped itself on this role (Skip.If) with <paramref name="reason"/>.</summary>
    public void ReportSkipped(string reason) => Send(new ConductorMessage { Kind = "skipped", Text = reason });

    private async Task<ConductorMessage> RequestAsync(ConductorMessage request)
    {
        request.Id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<ConductorMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[request.Id] = reply;
        Send(request);
        return await reply.Task.ConfigureAwait(false);
    }

    private void Send(ConductorMessage message)
    {
        if (!_channel.TrySend(message))
            throw new IOException("The conductor connection is closed: the test run is over.");
    }

    private async Task ReadAsync()
    {
        try
        {
            await _channel.RunReaderAsync(OnMessage).ConfigureAwait(false);
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine($"[multinode] {e.Message}");
        }

        var lost = new IOException("The conductor connection closed: the test run is over.");
        foreach (var pending in _pending.Values)
            pending.TrySetException(lost);
        _addresses.TrySetException(lost);
        if (!_disposed)
            ConductorLost?.Invoke();
    }

    private void OnMessage(ConductorMessage message)
    {
        switch (message.Kind)
        {
            case "addresses":
                _addresses.TrySetResult(message);
                break;
            case "reply":
                if (_pending.TryRemove(message.Id, out var pending))
                    pending.TrySetResult(message);
                break;
            case "throttle":
            case "exit":
                _ = Task.Run(() => HandleCommandAsync(message));
                break;
            default:
                Console.Error.WriteLine($"[multinode] ignored an unknown conductor message '{message.Kind}'");
                break;
        }
    }

    private async Task HandleCommandAsync(ConductorMessage command)
    {
        string? failure;
        try
        {
            failure = CommandHandler is { } handler
                ? await handler(command).ConfigureAwait(false)
                : "the node has no ActorSystem yet";
        }
        catch (Exception e)
        {
            failure = e.Message;
        }
        _channel.TrySend(new ConductorMessage { Kind = "reply", Id = command.Id, Ok = failure is null, Text = failure });
    }

    public void Dispose()
    {
        _disposed = true;
        _channel.Dispose();
    }
}
