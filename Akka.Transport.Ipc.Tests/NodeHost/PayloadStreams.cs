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
    /// one stream per address from its own sender, spread over at least <paramref name="durationMs"/> (message n is not
    /// sent before n / count of it has passed; the sender sleeps 1 ms whenever it is ahead), then waits until every
    /// verifier reported all of them. Answers <c>PAYLOADS-DONE count ms</c>, or <c>FAILED PAYLOADS</c> with the first error a verifier reported.
    /// Prints <c>PAYLOADS-STARTED ticks</c> (Stopwatch.GetTimestamp()) once the first burst is sent, so a test can
    /// freeze or kill the node while its streams are in flight.
    /// </summary>
    public static async Task<string> RunAsync(ActorSystem system, int count, int maxLength, int durationMs, IReadOnlyList<string> addresses, TimeSpan timeout)
    {
        if (count <= 0 || durationMs < 0 || addresses.Count == 0)
            return $"FAILED PAYLOADS count ({count}) must be positive, duration ({durationMs} ms) not negative, and at least one address given";
        var stopwatch = Stopwatch.StartNew();
        var targets = new List<(string Address, IActorRef Verifier, Inbox Inbox)>();
        foreach (var address in addresses)
        {
            var verifier = await system.ActorSelection($"{address}/user/per-sender-verifier").ResolveOne(timeout);
            targets.Add((address, verifier, Inbox.Create(system)));
        }
        foreach (var (_, verifier, inbox) in targets)
            verifier.Tell(new PerSenderVerifier.Expect(count, maxLength), inbox.Receiver);

        var paced = Stopwatch.StartNew();
        for (int n = 0; n < count; n++)
        {
            while (paced.Elapsed.TotalMilliseconds < (double)n * durationMs / count)
                await Task.Delay(1);
            foreach (var (_, verifier, inbox) in targets)
                verifier.Tell(StreamPayload.Create(n, maxLength), inbox.Receiver);
            if (n == 0)
                Announce($"PAYLOADS-STARTED {Stopwatch.GetTimestamp()}");
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

    private static void Announce(string line)
    {
        lock (Console.Out)
        {
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        }
    }
}
