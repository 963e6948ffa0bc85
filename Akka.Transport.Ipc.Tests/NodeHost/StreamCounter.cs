using Akka.Actor;

namespace Akka.Transport.Ipc.Tests.NodeHost;

/// <summary>
/// Counts the consecutive ints of a STREAM. Answers <see cref="Query"/> with the count so far (a long), or with
/// <see cref="Status.Failure"/> once a number arrived out of order, so a caller cannot mistake a broken stream for
/// a flowing one.
/// </summary>
public sealed class StreamCounter : ReceiveActor
{
    public sealed class Query
    {
        public static readonly Query Instance = new();

        private Query()
        {
        }
    }

    public StreamCounter()
    {
        long next = 0;
        string? error = null;
        Receive<int>(n =>
        {
            if (n != next && error == null)
                error = $"expected {next}, got {n}";
            next = n + 1L;
        });
        Receive<Query>(_ => Sender.Tell(error == null ? next : new Status.Failure(new InvalidOperationException(error))));
    }
}
