using System.Diagnostics.Metrics;
using Akka.Actor;

namespace Akka.Transport.Ipc.Benchmarks;

/// <summary>
/// One process of the scale part ("mesh" role): an ActorSystem with a sink actor that every streaming peer sends
/// to, and one <see cref="Streamer"/> per target. The parent drives it with stdin lines:
/// <c>connect ADDR...</c> (resolve those peers' sinks, which creates the associations), <c>targets ADDR...</c>
/// (a streamer per address), <c>stream</c>, <c>count</c>, <c>halt</c> and <c>stop</c>.
/// </summary>
internal static class ScaleRoles
{
    public const string SystemName = "Mesh";

    /// <summary>The values of the meter's <c>ipc.phase</c> tag (receiver-profile), in report order.</summary>
    public static readonly string[] ProfilePhases = ["deliver", "gc", "spin", "yield", "sleep"];
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Data frames a streamer keeps unacknowledged; the sink acknowledges every <see cref="AckEvery"/>.</summary>
    private const int Window = 1000;

    private const int AckEvery = 100;

    /// <summary>Payload of a data message: 64 B, the first 8 its sequence number.</summary>
    private const int PayloadBytes = 64;

    public static async Task<int> RunAsync(ChildArgs args)
    {
        var system = ActorSystem.Create(SystemName, Hocon.For(args.Get("mode"), args.Get("dir", "")));
        try
        {
            var counters = new SinkCounters();
            using var meter = new TransportMeter();
            system.ActorOf(Props.Create<Sink>(counters), "sink");
            Parent.Send("ready", new { address = ((ExtendedActorSystem)system).Provider.DefaultAddress.ToString(), pid = Environment.ProcessId });
            var streamers = new List<IActorRef>();
            var stopped = Parent.StopRequested;
            while (true)
            {
                var read = Parent.CommandReader.ReadAsync().AsTask();
                if (await Task.WhenAny(read, stopped) == stopped)
                    break;
                string[] words = (await read).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                switch (words[0])
                {
                    case "connect":
                        // A round trip to each sink, so that the association is up (and used both ways) afterwards.
                        await Task.WhenAll(words.Skip(1).Select(async a => await (await Resolve(system, a)).Ask<string>("ping", ResolveTimeout)));
                        Parent.Send("connected");
                        break;
                    case "targets":
                        foreach (var address in words.Skip(1))
                            streamers.Add(system.ActorOf(Props.Create<Streamer>(await Resolve(system, address))));
                        Parent.Send("targets-ready", new { streamers = streamers.Count });
                        break;
                    case "stream":
                        foreach (var s in streamers)
                            s.Tell(Streamer.Start.Instance);
                        Parent.Send("streaming");
                        break;
                    case "count":
                        var (sleeps, posts, profileUs, profileRounds, handOffUs) = meter.Read();
                        Parent.Send("count", new { received = counters.Received, outOfOrder = counters.OutOfOrder, sleeps, posts, profileUs, profileRounds, handOffUs });
                        break;
                    case "halt":
                        var sent = await Task.WhenAll(streamers.Select(s => s.Ask<long>(Streamer.Halt.Instance, ResolveTimeout)));
                        Parent.Send("halted", new { sent = sent.Sum() });
                        break;
                    default:
                        throw new ArgumentException($"Unknown mesh command '{words[0]}'");
                }
            }
        }
        finally
        {
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(20));
        }
        return 0;
    }

    /// <summary>
    /// The transport's own wake-up counts from its meter (shm only; 0 over dot-netty): how often the receiver thread
    /// blocked on its doorbell, and how often this process posted a peer's; with receiver-profile on, also the
    /// receiver thread's CPU µs and rounds per <see cref="ProfilePhases"/> (zeros otherwise).
    /// </summary>
    private sealed class TransportMeter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly double[] _profileUs = new double[ProfilePhases.Length];
        private readonly long[] _profileRounds = new long[ProfilePhases.Length];
        private long _sleeps;
        private long _posts;
        private double _handOffUs;

        public TransportMeter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Akka.Transport.Ipc" && instrument.Name is "akka.ipc.receiver.sleeps" or "akka.ipc.doorbell.posts"
                    or "akka.ipc.receiver.cpu.time" or "akka.ipc.receiver.rounds" or "akka.ipc.receiver.handoff.cpu.time")
                    listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                if (instrument.Name == "akka.ipc.receiver.sleeps")
                    _sleeps += value;
                else if (instrument.Name == "akka.ipc.doorbell.posts")
                    _posts += value;
                else if (Phase(tags) is int phase and >= 0)
                    _profileRounds[phase] += value;
            });
            _listener.SetMeasurementEventCallback<double>((instrument, seconds, tags, _) =>
            {
                if (instrument.Name == "akka.ipc.receiver.handoff.cpu.time")
                    _handOffUs += seconds * 1e6;
                else if (Phase(tags) is int phase and >= 0)
                    _profileUs[phase] += seconds * 1e6;
            });
            _listener.Start();
        }

        private static int Phase(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "ipc.phase")
                    return Array.IndexOf(ProfilePhases, tag.Value as string);
            }
            return -1;
        }

        /// <summary>Totals now (observable counters report their running totals, summed over the tags).</summary>
        public (long Sleeps, long Posts, double[] ProfileUs, long[] ProfileRounds, double HandOffUs) Read()
        {
            lock (_listener)
            {
                _sleeps = _posts = 0;
                _handOffUs = 0;
                Array.Clear(_profileUs);
                Array.Clear(_profileRounds);
                _listener.RecordObservableInstruments();
                return (_sleeps, _posts, _profileUs.ToArray(), _profileRounds.ToArray(), _handOffUs);
            }
        }

        public void Dispose() => _listener.Dispose();
    }

    private static Task<IActorRef> Resolve(ActorSystem system, string address) =>
        system.ActorSelection($"{address}/user/sink").ResolveOne(ResolveTimeout);

    /// <summary>Counts written by the sink actor only, read by the command loop.</summary>
    private sealed class SinkCounters
    {
        private long _received;
        private long _outOfOrder;

        public long Received => Volatile.Read(ref _received);

        public long OutOfOrder => Volatile.Read(ref _outOfOrder);

        public void Add(bool inOrder)
        {
            Volatile.Write(ref _received, _received + 1);
            if (!inOrder)
                Volatile.Write(ref _outOfOrder, _outOfOrder + 1);
        }
    }

    /// <summary>
    /// Receives every peer's stream: checks each sender's sequence numbers are consecutive, acknowledges every
    /// <see cref="AckEvery"/> frames (the last sequence number seen, a long) and on a "flush" at once.
    /// </summary>
    private sealed class Sink(SinkCounters counters) : UntypedActor
    {
        private readonly Dictionary<IActorRef, long> _next = new();

        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case byte[] data:
                    long seq = BitConverter.ToInt64(data, 0);
                    _next.TryGetValue(Sender, out long expected);
                    counters.Add(seq == expected);
                    _next[Sender] = seq + 1;
                    if ((seq + 1) % AckEvery == 0)
                        Sender.Tell(seq);
                    break;
                case "flush":
                    Sender.Tell(_next.GetValueOrDefault(Sender) - 1);
                    break;
                case "ping":
                    Sender.Tell("pong");
                    break;
            }
        }
    }

    /// <summary>
    /// Streams numbered 64 B frames to one sink with at most <see cref="Window"/> unacknowledged; on
    /// <see cref="Halt"/> stops sending, waits for the acknowledgement of the last frame and answers how many it sent.
    /// </summary>
    private sealed class Streamer(IActorRef sink) : UntypedActor
    {
        public sealed class Start
        {
            public static readonly Start Instance = new();
        }

        public sealed class Halt
        {
            public static readonly Halt Instance = new();
        }

        private long _sent;
        private long _acked; // frames acknowledged: the sink's last sequence number + 1
        private bool _halting;
        private IActorRef? _halter;

        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case Start:
                    Fill();
                    break;
                case long lastSeq:
                    _acked = Math.Max(_acked, lastSeq + 1);
                    if (!_halting)
                        Fill();
                    else if (_acked == _sent)
                        _halter?.Tell(_sent);
                    break;
                case Halt:
                    _halting = true;
                    _halter = Sender;
                    if (_acked == _sent)
                        _halter.Tell(_sent);
                    else
                        sink.Tell("flush");
                    break;
            }
        }

        private void Fill()
        {
            while (_sent - _acked < Window)
            {
                var data = new byte[PayloadBytes];
                BitConverter.TryWriteBytes(data, _sent++);
                sink.Tell(data);
            }
        }
    }
}
