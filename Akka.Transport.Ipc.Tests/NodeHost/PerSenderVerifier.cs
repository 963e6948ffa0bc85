using Akka.Actor;

namespace Akka.Transport.Ipc.Tests.NodeHost;

/// <summary>
/// Receives <c>int</c> sequence numbers from many senders and checks that each sender's arrive in order with
/// none missing. Replies <see cref="Done"/> to a sender once its <c>expected</c> count arrived, or an error string.
/// <see cref="Report"/> answers with what arrived from every sender so far (for senders that are gone).
/// </summary>
public sealed class PerSenderVerifier : ReceiveActor
{
    private readonly Dictionary<IActorRef, int> _next = new();

    public sealed record Expect(int Count);

    public sealed record Done(int Count);

    /// <summary>Asks for "senders=N received=a,b,... gaps=G": per sender, the next number expected.</summary>
    public sealed record Report;

    public PerSenderVerifier()
    {
        var expected = new Dictionary<IActorRef, int>();
        int gaps = 0;
        Receive<Report>(_ => Sender.Tell($"senders={_next.Count} received={string.Join(',', _next.Values)} gaps={gaps}"));
        Receive<Expect>(e => expected[Sender] = e.Count);
        Receive<int>(seq =>
        {
            _next.TryGetValue(Sender, out int next);
            if (seq != next)
            {
                gaps++;
                Sender.Tell($"{Sender.Path}: expected {next}, got {seq}");
                _next[Sender] = seq + 1;
                return;
            }
            _next[Sender] = next + 1;
            if (expected.TryGetValue(Sender, out int count) && next + 1 == count)
                Sender.Tell(new Done(count));
        });
    }
}
