using System.Diagnostics;
using System.Text;
using Akka.Actor;

namespace Akka.Transport.Ipc.Tests.Soak;

/// <summary>
/// The soak's receiving end (<c>/user/soak-receiver</c>): answers <c>HELLO nonce</c> with <c>WELCOME nonce</c>, and
/// checks every <see cref="SoakPayload"/> per sender incarnation (an actor ref: same path, other uid = other
/// incarnation). Acks every <see cref="AckEvery"/>th message with <c>(epoch &lt;&lt; 32) | seq</c>.
/// Prints, with <see cref="Stopwatch.GetTimestamp"/> (CLOCK_MONOTONIC, comparable across processes):
/// <code>
///   SOAK-ERROR ts sender detail          content or length wrong: never excusable
///   SOAK-ANOMALY ts sender kind detail   gap, duplicate, order, or loss across an epoch change (a loss of whole
///                                        messages ends with "[missing epoch:first-last receiver uid sender uid]")
///   SOAK-EPOCH ts sender epoch lost      the sender re-associated (lost = messages of the old epoch never seen)
///   SOAK-STATS ts total address=count …  every second: messages checked, cumulative per sender address
/// </code>
/// </summary>
public sealed class SoakReceiver : ReceiveActor, IWithTimers
{
    public const string Name = "soak-receiver";
    public const int AckEvery = 8;

    private readonly Dictionary<IActorRef, Stream> _streams = new();
    private readonly Dictionary<string, long> _perAddress = new(StringComparer.Ordinal);
    private long _total;

    public SoakReceiver()
    {
        Receive<string>(text => text.StartsWith("HELLO ", StringComparison.Ordinal), text =>
            Sender.Tell("WELCOME " + text["HELLO ".Length..]));
        Receive<byte[]>(Check);
        Receive<PrintStats>(_ => PrintStatistics());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() =>
        Timers.StartPeriodicTimer("stats", PrintStats.Instance, TimeSpan.FromSeconds(1));

    private void Check(byte[] payload)
    {
        string sender = Sender.Path.Address.ToString();
        if (SoakPayload.Verify(payload) is { } error)
        {
            Print($"SOAK-ERROR {Stopwatch.GetTimestamp()} {sender} {error}");
            return;
        }
        int seq = SoakPayload.SequenceOf(payload);
        int epoch = SoakPayload.EpochOf(payload);
        if (!_streams.TryGetValue(Sender, out var stream))
        {
            stream = new Stream { Epoch = epoch };
            _streams[Sender] = stream;
            if (epoch != 0 || seq != 0)
                Anomaly(sender, "start", $"a new sender incarnation began with {epoch}:{seq}, expected 0:0"
                    + (seq == 0 && epoch == 1 ? $" ({SoakPayload.PrevSentOf(payload)} messages announced sent in epoch 0)"
                        + Missing(0, 0, SoakPayload.PrevSentOf(payload)) : ""));
        }
        else if (epoch > stream.Epoch)
        {
            int lost = seq == 0 ? SoakPayload.PrevSentOf(payload) - stream.Received : -1;
            Print($"SOAK-EPOCH {Stopwatch.GetTimestamp()} {sender} {epoch} {lost}");
            if (epoch != stream.Epoch + 1 || seq != 0)
                Anomaly(sender, "epoch", $"epoch {stream.Epoch} → {epoch} at seq {seq}");
            else if (lost != 0)
                Anomaly(sender, "lost", $"{lost} messages of epoch {stream.Epoch} never arrived ({stream.Received} did)"
                    + (lost > 0 ? Missing(stream.Epoch, stream.Received, stream.Received + lost) : ""));
            stream.Epoch = epoch;
            stream.Next = 0;
            stream.Received = 0;
        }
        else if (epoch < stream.Epoch)
        {
            Anomaly(sender, "order", $"message {epoch}:{seq} after epoch {stream.Epoch}");
            return;
        }

        if (seq != stream.Next)
            Anomaly(sender, seq > stream.Next ? "gap" : "duplicate", $"epoch {epoch}: expected {stream.Next}, got {seq}");
        stream.Next = Math.Max(stream.Next, seq + 1);
        stream.Received++;
        _total++;
        _perAddress[sender] = _perAddress.GetValueOrDefault(sender) + 1;
        if (seq % AckEvery == AckEvery - 1)
            Sender.Tell(((long)epoch << 32) | (uint)seq);
    }

    /// <summary>
    /// Which messages never arrived, for a stream that lost whole messages at an epoch change, with this receiver's and
    /// the sender's uids (the sender's SOAK-DROPPED lines name the same): " [missing epoch:first-last receiver uid
    /// sender uid]".
    /// </summary>
    private string Missing(int epoch, int from, int to) =>
        $" [missing {epoch}:{from}-{to - 1} receiver {Self.Path.Uid} sender {Sender.Path.Uid}]";

    private static void Anomaly(string sender, string kind, string detail) =>
        Print($"SOAK-ANOMALY {Stopwatch.GetTimestamp()} {sender} {kind} {detail}");

    private void PrintStatistics()
    {
        var line = new StringBuilder($"SOAK-STATS {Stopwatch.GetTimestamp()} {_total}");
        foreach (var (address, count) in _perAddress)
            line.Append(' ').Append(address).Append('=').Append(count);
        Print(line.ToString());
    }

    private static void Print(string line)
    {
        Console.Out.WriteLine(line);
        Console.Out.Flush();
    }

    private sealed class Stream
    {
        public int Epoch;
        public int Next;
        public int Received;
    }

    private sealed class PrintStats
    {
        public static readonly PrintStats Instance = new();
    }
}
