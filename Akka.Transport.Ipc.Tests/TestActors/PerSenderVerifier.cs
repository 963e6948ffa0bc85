using Akka.Actor;

namespace Akka.Transport.Ipc.Tests.TestActors;

/// <summary>
/// Receives sequence numbers from many senders and checks that each sender's arrive in order with none missing:
/// plain <c>int</c>s, or <see cref="StreamPayload"/> byte arrays whose every byte is checked too (length capped at the
/// sender's <see cref="Expect.MaxLength"/>). Replies <see cref="Done"/> to a sender once its <c>expected</c> count
/// arrived, or an error string (the first error of each kind it sees, the numbers resynchronised on what arrived).
/// <see cref="Report"/> answers with what arrived from every sender so far (for senders that are gone).
/// </summary>
public sealed class PerSenderVerifier : ReceiveActor
{
    private readonly Dictionary<IActorRef, int> _next = new();

    /// <param name="Count">How many numbers the sender sends (0 to n-1).</param>
    /// <param name="MaxLength">For byte[] streams: the cap the sender's <see cref="StreamPayload.Create(int, int)"/> used.</param>
    public sealed record Expect(int Count, int MaxLength = StreamPayload.Large);

    public sealed record Done(int Count);

    /// <summary>Asks for "senders=N received=a,b,... gaps=G": per sender, the next number expected.</summary>
    public sealed record Report;

    public PerSenderVerifier()
    {
        var expected = new Dictionary<IActorRef, Expect>();
        int gaps = 0;
        Receive<Report>(_ => Sender.Tell($"senders={_next.Count} received={string.Join(',', _next.Values)} gaps={gaps}"));
        Receive<Expect>(e => expected[Sender] = e);
        Receive<int>(seq => Accept(seq, null));
        Receive<byte[]>(payload =>
        {
            _next.TryGetValue(Sender, out int next);
            int maxLength = expected.TryGetValue(Sender, out var e) ? e.MaxLength : StreamPayload.Large;
            Accept(StreamPayload.SequenceOf(payload), StreamPayload.Verify(payload, next, maxLength));
        });

        void Accept(int seq, string? contentError)
        {
            _next.TryGetValue(Sender, out int next);
            if (seq != next || contentError != null)
            {
                gaps++;
                Sender.Tell($"{Sender.Path}: {contentError ?? $"expected {next}, got {seq}"}");
                _next[Sender] = seq + 1;
                return;
            }
            _next[Sender] = next + 1;
            if (expected.TryGetValue(Sender, out var e) && next + 1 == e.Count)
                Sender.Tell(new Done(e.Count));
        }
    }
}
