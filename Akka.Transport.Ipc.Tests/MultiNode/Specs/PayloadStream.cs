using System.Diagnostics;
using Akka.Actor;
using Akka.Transport.Ipc.Tests.TestActors;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

/// <summary>
/// Numbered <see cref="StreamPayload"/> byte arrays from one system to several peers' <c>/user/per-sender-verifier</c>
/// at once, paced, one stream per peer from its own sender; each peer checks order, completeness and every byte
/// (<see cref="PerSenderVerifier"/>).
/// </summary>
internal sealed class PayloadStream
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PayloadStream()
    {
    }

    /// <summary>Completes once the first payload went to every peer: from then on the streams are in flight.</summary>
    public Task Started => _started.Task;

    /// <summary>Null once every peer reported all payloads; otherwise the first error (a verifier's or a time-out).</summary>
    public Task<string?> Done { get; private set; } = Task.FromResult<string?>(null);

    /// <summary>
    /// Starts sending payloads 0..<paramref name="count"/>-1 (lengths capped at <paramref name="maxLength"/>) to every
    /// address, spread over at least <paramref name="durationMs"/> (payload n is not sent before n / count of it passed).
    /// </summary>
    public static PayloadStream Start(ActorSystem system, int count, int maxLength, int durationMs, IReadOnlyList<Address> peers, TimeSpan timeout)
    {
        var stream = new PayloadStream();
        stream.Done = Task.Run(() => stream.RunAsync(system, count, maxLength, durationMs, peers, timeout));
        return stream;
    }

    private async Task<string?> RunAsync(ActorSystem system, int count, int maxLength, int durationMs, IReadOnlyList<Address> peers, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        try
        {
            var targets = new List<(Address Address, IActorRef Verifier, Inbox Inbox)>();
            foreach (var address in peers)
            {
                var verifier = await system.ActorSelection(new RootActorPath(address) / "user" / "per-sender-verifier").ResolveOne(timeout);
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
                    _started.TrySetResult();
            }

            foreach (var (address, _, inbox) in targets)
            {
                var left = timeout - stopwatch.Elapsed;
                var answer = await inbox.ReceiveAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero);
                if (answer is not PerSenderVerifier.Done done || done.Count != count)
                    return $"payloads to {address}: {answer}";
            }
            return null;
        }
        catch (Exception e)
        {
            return $"payloads to {string.Join(", ", peers)}: {e.GetType().Name}: {e.Message}";
        }
        finally
        {
            _started.TrySetResult();
        }
    }
}
