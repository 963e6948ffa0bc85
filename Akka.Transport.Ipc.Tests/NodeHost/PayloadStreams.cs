using System.Diagnostics;
using Akka.Actor;

namespace Akka.Transport.Ipc.Tests.NodeHost;

/// <summary>
/// The PAYLOADS command: numbered <see cref="StreamPayload"/> byte arrays to several peers' per-sender-verifier at once,
/// paced, each peer's content, order and completeness checked there (<see cref="PerSenderVerifier"/>).
/// </summary>
public static class PayloadStreams
{
    /// <summary>
    /// Sends messages 0..<paramref name="count"/>-1 (lengths capped at <paramref name="maxLength"/>) to every address,
    /// one stream per address from its own sender, <paramref name="burst"/> messages to each between 1 ms pauses (so
    /// a stream lasts about count / burst ms and stays in flight), then waits until every verifier reported all of
    /// them. Answers <c>PAYLOADS-DONE count ms</c>, or <c>FAILED PAYLOADS</c> with the first error a verifier reported.
    /// </summary>
    public static async Task<string> RunAsync(ActorSystem system, int count, int maxLength, int burst, IReadOnlyList<string> addresses, TimeSpan timeout)
    {
        if (count <= 0 || burst <= 0 || addresses.Count == 0)
            return $"FAILED PAYLOADS count ({count}) and burst ({burst}) must be positive, and at least one address given";
        var stopwatch = Stopwatch.StartNew();
        var targets = new List<(string Address, IActorRef Verifier, Inbox Inbox)>();
        foreach (var address in addresses)
        {
            var verifier = await system.ActorSelection($"{address}/user/per-sender-verifier").ResolveOne(timeout);
            targets.Add((address, verifier, Inbox.Create(system)));
        }
        foreach (var (_, verifier, inbox) in targets)
            verifier.Tell(new PerSenderVerifier.Expect(count, maxLength), inbox.Receiver);

        for (int n = 0; n < count; n++)
        {
            foreach (var (_, verifier, inbox) in targets)
                verifier.Tell(StreamPayload.Create(n, maxLength), inbox.Receiver);
            if (n % burst == burst - 1)
                await Task.Delay(1);
        }

        foreach (var (address, _, inbox) in targets)
        {
            var left = timeout - stopwatch.Elapsed;
            var answer = await inbox.ReceiveAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            if (answer is not PerSenderVerifier.Done done || done.Count != count)
                return $"FAILED PAYLOADS to {address}: {answer}";
        }
        return $"PAYLOADS-DONE {count} {stopwatch.ElapsedMilliseconds}";
    }
}
