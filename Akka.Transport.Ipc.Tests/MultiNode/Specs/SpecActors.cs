using Akka.Actor;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

/// <summary>Answers every message with itself.</summary>
internal sealed class Echo : ReceiveActor
{
    public Echo() => ReceiveAny(message => Sender.Tell(message));
}

/// <summary>
/// Receives numbered streams from many senders: each sender's numbers must arrive in order with none missing.
/// A sender first says how many it sends (<see cref="Expect"/>) and is answered <see cref="Done"/> once all arrived,
/// or with an error string at the first gap, duplicate or reordering.
/// </summary>
internal sealed class PerSenderChecker : ReceiveActor
{
    public sealed record Expect(int Count);

    public sealed record Done(int Count);

    public PerSenderChecker()
    {
        var next = new Dictionary<IActorRef, int>();
        var expected = new Dictionary<IActorRef, int>();
        Receive<Expect>(e => expected[Sender] = e.Count);
        Receive<int>(n =>
        {
            next.TryGetValue(Sender, out int want);
            if (n != want)
            {
                Sender.Tell($"{Sender.Path}: expected {want}, got {n}");
                next[Sender] = n + 1;
                return;
            }
            next[Sender] = n + 1;
            if (expected.TryGetValue(Sender, out int count) && n + 1 == count)
                Sender.Tell(new Done(count));
        });
    }
}

/// <summary>Counts consecutive ints; answers <see cref="Query"/> with the count, or a failure once one came out of order.</summary>
internal sealed class ConsecutiveCounter : ReceiveActor
{
    public sealed record Query;

    public ConsecutiveCounter()
    {
        long next = 0;
        string? error = null;
        Receive<int>(n =>
        {
            if (n != next && error is null)
                error = $"expected {next}, got {n}";
            next = n + 1L;
        });
        Receive<Query>(_ => Sender.Tell(error is null ? next : new Status.Failure(new InvalidOperationException(error))));
    }
}

/// <summary>Sends 0..count-1 to an echo with a window in flight and checks they come back in order.</summary>
internal sealed class Pinger : ReceiveActor
{
    private const int Window = 1000;

    public Pinger(IActorRef echo, int count, TaskCompletionSource<string?> done)
    {
        int sent = 0, received = 0;
        for (; sent < Math.Min(Window, count); sent++)
            echo.Tell(sent);
        Receive<int>(n =>
        {
            if (n != received)
            {
                done.TrySetResult($"expected {received} back, got {n}");
                Context.Stop(Self);
                return;
            }
            received++;
            if (sent < count)
                echo.Tell(sent++);
            if (received == count)
            {
                done.TrySetResult(null);
                Context.Stop(Self);
            }
        });
    }
}

/// <summary>Runs a <see cref="Pinger"/> from outside any actor.</summary>
internal static class Pings
{
    /// <summary>Pings <paramref name="echo"/> <paramref name="count"/> times; throws if any came back out of order.</summary>
    public static void Run(ActorSystem system, IActorRef echo, int count, TimeSpan timeout)
    {
        var done = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        system.ActorOf(Props.Create(() => new Pinger(echo, count, done)));
        Assert.True(done.Task.Wait(timeout), $"{count} pings did not come back within {timeout}");
        Assert.Null(done.Task.Result);
    }
}

/// <summary>
/// Completes <c>seen</c> with the <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> at which the
/// <see cref="Akka.Remote.DisassociatedEvent"/> for <c>peer</c> reached it (subscribe it to the event stream): the
/// monotonic clock all processes share, so a spec can time a death from the conductor's SIGKILL.
/// </summary>
internal sealed class DisassociationClock : ReceiveActor
{
    public DisassociationClock(Address peer, TaskCompletionSource<long> seen) => Receive<Akka.Remote.DisassociatedEvent>(e =>
    {
        long at = System.Diagnostics.Stopwatch.GetTimestamp();
        if (e.RemoteAddress == peer)
            seen.TrySetResult(at);
    });
}
