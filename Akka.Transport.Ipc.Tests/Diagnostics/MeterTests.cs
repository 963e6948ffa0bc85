using System.Diagnostics.Metrics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Remote.Transport;
using Akka.Transport.Ipc.Diagnostics;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Diagnostics;

/// <summary>
/// The <c>Akka.Transport.Ipc</c> meter against a known exchange: exact counts of associations, frames, bytes and
/// back-pressured writes, per system (a name unique to the test, so parallel tests do not add to it) and channel.
/// </summary>
public sealed class MeterTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly IpcTestDirectory _directory = new();
    private readonly List<IpcTransport> _transports = new();
    private readonly string _system;
    private readonly MeterListener _listener = new();
    private readonly Measurements _events;
    private Measurements _observed;

    public MeterTests(ITestOutputHelper output)
        : this(output, "metrics-" + Guid.NewGuid().ToString("N")[..8])
    {
    }

    private MeterTests(ITestOutputHelper output, string system) : base("akka.loglevel = INFO", system, output)
    {
        _system = system;
        _events = new Measurements(system);
        _observed = new Measurements(system);
        // Listening from the start, as dotnet-counters or OpenTelemetry would: events of counters are only seen by
        // listeners that exist when they happen; observable instruments are read at each collection.
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == IpcMeter.Name)
                l.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            (instrument.IsObservable ? _observed : _events).Add(instrument.Name, value, tags));
        // Times (akka.ipc.receiver.cpu.time, seconds) are kept as whole microseconds.
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
            (instrument.IsObservable ? _observed : _events).Add(instrument.Name, (long)(value * 1e6), tags));
        _listener.Start();
    }

    [Theory]
    [InlineData("shm")]
    [InlineData("fifo")]
    public async Task Associations_frames_and_bytes_are_counted_exactly_and_kept_after_the_association_ends(string mode)
    {
        var (outbound, inbound, atServer, atClient) = await ConnectedPairAsync(mode, "");
        var sizes = Enumerable.Range(0, 100).Select(i => i * 37 % 5000).ToArray(); // an empty frame too
        foreach (var size in sizes)
            Assert.True(outbound.Write(ByteString.CopyFrom(new byte[size])));
        for (int i = 0; i < 50; i++)
            Assert.True(inbound.Write(ByteString.CopyFrom(new byte[i])));
        AwaitCondition(() => atServer.PayloadCount == 100 && atClient.PayloadCount == 50, Timeout);
        long bytes = sizes.Sum() + Enumerable.Range(0, 50).Sum();

        var open = Collect();
        Assert.Equal(2, open.Value("akka.ipc.associations.open", mode));
        Assert.Equal(1, open.Value("akka.ipc.associations.opened", mode, ("ipc.direction", "outbound")));
        Assert.Equal(1, open.Value("akka.ipc.associations.opened", mode, ("ipc.direction", "inbound")));
        Assert.Equal(150, open.Value("akka.ipc.frames.sent", mode));
        Assert.Equal(150, open.Value("akka.ipc.frames.received", mode));
        Assert.Equal(bytes, open.Value("akka.ipc.bytes.sent", mode));
        Assert.Equal(bytes, open.Value("akka.ipc.bytes.received", mode));
        Assert.Equal(0, open.Value("akka.ipc.writes.backpressured", mode));
        Assert.Equal(0, open.Value("akka.ipc.queued.bytes", mode));

#pragma warning disable CS0618 // the SPI's Disassociate
        outbound.Disassociate();
#pragma warning restore CS0618
        await atServer.Disassociated.WaitAsync(Timeout);
        AwaitCondition(() => Collect().Value("akka.ipc.associations.open", mode) == 0, Timeout);
        var ended = Collect();
        Assert.Equal(1, ended.Value("akka.ipc.associations.ended", mode, ("ipc.end", "closed-here")));
        Assert.Equal(1, ended.Value("akka.ipc.associations.ended", mode, ("ipc.end", "closed-by-peer")));
        Assert.Equal(150, ended.Value("akka.ipc.frames.sent", mode)); // an ended association's counts stay in the totals
        Assert.Equal(bytes, ended.Value("akka.ipc.bytes.received", mode));
    }

    [Fact]
    public async Task Every_write_refused_for_back_pressure_is_counted_and_queued_bytes_are_reported()
    {
        // A 4 KiB ring nobody reads (no read handler on the inbound side) and a 16 KiB queue behind it; 400-byte
        // frames, below the ring's fragment size (an eighth of it), so each is one 408-byte record.
        var (outbound, _, _, _) = await ConnectedPairAsync("shm", "ring-size = 4KiB\nsend-queue-limit = 16KiB", registerServer: false);
        int refused = 0;
        for (int i = 0; i < 100; i++)
            if (!outbound.Write(ByteString.CopyFrom(new byte[400])))
                refused++;
        Assert.Equal(50, refused); // 10 records fit the ring (4080 bytes), 40 the queue (16 KiB at 408 bytes each)

        var collected = Collect();
        Assert.Equal(refused, collected.Value("akka.ipc.writes.backpressured", "shm"));
        Assert.Equal(100 - refused, collected.Value("akka.ipc.frames.sent", "shm"));
        long queued = collected.Value("akka.ipc.queued.bytes", "shm");
        Assert.Equal(40 * 400, queued);
        Assert.Equal(10 * 408, collected.Value("akka.ipc.ring.used", "shm"));
    }

    [Fact]
    public async Task An_idle_shared_memory_receiver_blocks_and_its_sleeps_are_counted()
    {
        var transport = NewTransport("shm", "");
        await ListenAsync(transport).CompletesWithin(Timeout);
        long first = Collect().Value("akka.ipc.receiver.sleeps", "shm");
        Thread.Sleep(1000); // idle: it wakes every 200 ms to look, and blocks again
        long second = Collect().Value("akka.ipc.receiver.sleeps", "shm");
        Assert.InRange(second - first, 2, 20);
        await transport.Shutdown().CompletesWithin(Timeout);
        long retired = Collect().Value("akka.ipc.receiver.sleeps", "shm");
        Assert.True(retired >= second, "a stopped receiver's sleeps stay in the total");
        // receiver-profile is off by default: its instruments report nothing.
        Assert.Equal(0, Collect().Value("akka.ipc.receiver.rounds", "shm", ("ipc.phase", "sleep")));
    }

    [Fact]
    public async Task With_receiver_profile_on_the_receivers_cpu_time_and_rounds_are_published_by_phase_and_kept()
    {
        var (outbound, _, atServer, _) = await ConnectedPairAsync("shm", "receiver-profile = on");
        for (int i = 0; i < 100; i++)
            Assert.True(outbound.Write(ByteString.CopyFrom(new byte[64])));
        AwaitCondition(() => atServer.PayloadCount == 100, Timeout);
        Thread.Sleep(500); // idle: both receivers spin, then sleep (and wake every 200 ms to look)

        var collected = Collect();
        long Rounds(string phase) => collected.Value("akka.ipc.receiver.rounds", "shm", ("ipc.phase", phase));
        long CpuMicroseconds(string phase) => collected.Value("akka.ipc.receiver.cpu.time", "shm", ("ipc.phase", phase));
        Assert.True(Rounds("deliver") >= 1, "no deliver round for 100 frames");
        Assert.True(Rounds("spin") >= 1 && Rounds("sleep") >= 1, $"idle, yet {Rounds("spin")} spin and {Rounds("sleep")} sleep rounds");
        Assert.True(CpuMicroseconds("deliver") > 0, "no CPU charged to deliver rounds");
        long handOff = collected.Value("akka.ipc.receiver.handoff.cpu.time", "shm");
        // Estimated from one frame in 64 on average; so few frames (the first ones still being compiled) say nothing of
        // its size, only that it is published (ReceiverProfileTests checks it against the deliver rounds).
        Assert.True(handOff > 0, "no hand-off CPU published");
        long total = new[] { "deliver", "gc", "spin", "yield", "sleep" }.Sum(CpuMicroseconds);
        var process = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        Assert.InRange(total, 1, (long)process.TotalMicroseconds); // part of this process's CPU, not more

        long sleepRounds = Rounds("sleep");
        await Task.WhenAll(_transports.Select(t => t.Shutdown())).WaitAsync(Timeout);
        Assert.True(Collect().Value("akka.ipc.receiver.rounds", "shm", ("ipc.phase", "sleep")) >= sleepRounds,
            "a stopped receiver's rounds stay in the total");
    }

    private async Task<(AssociationHandle Outbound, AssociationHandle Inbound, RecordingHandleListener AtServer, RecordingHandleListener AtClient)>
        ConnectedPairAsync(string mode, string extra, bool registerServer = true)
    {
        var client = NewTransport(mode, extra);
        var server = NewTransport(mode, extra);
        await ListenAsync(client);
        var serverAddress = await ListenAsync(server);
        var outbound = await client.Associate(serverAddress).WaitAsync(Timeout);
        var inbound = ExpectMsg<InboundAssociation>(Timeout).Association;
        var atServer = new RecordingHandleListener();
        var atClient = new RecordingHandleListener();
        if (registerServer)
            inbound.ReadHandlerSource.SetResult(atServer);
        outbound.ReadHandlerSource.SetResult(atClient);
        return (outbound, inbound, atServer, atClient);
    }

    private IpcTransport NewTransport(string mode, string extra)
    {
        var transport = new IpcTransport(Sys, ConfigurationFactory.ParseString($"directory = \"{_directory.Path}\"\nmode = {mode}\n{extra}"));
        _transports.Add(transport);
        return transport;
    }

    private async Task<Address> ListenAsync(IpcTransport transport)
    {
        var (address, promise) = await transport.Listen();
        promise.SetResult(new ActorAssociationEventListener(TestActor));
        return address;
    }

    /// <summary>One collection: the observable instruments read now, plus every counter event since the test began.</summary>
    private Measurements Collect()
    {
        lock (_listener)
        {
            _observed = new Measurements(_system);
            _listener.RecordObservableInstruments();
            return _observed.With(_events);
        }
    }

    /// <summary>Observable values are totals (the last one counts); counters of events (Add calls) are summed.</summary>
    private sealed class Measurements(string system)
    {
        private readonly List<(string Name, long Value, Dictionary<string, object?> Tags)> _all = new();

        public void Add(string name, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var map = new Dictionary<string, object?>();
            foreach (var tag in tags)
                map[tag.Key] = tag.Value;
            lock (_all)
                _all.Add((name, value, map));
        }

        public Measurements With(Measurements other)
        {
            var both = new Measurements(system);
            lock (other._all)
                both._all.AddRange(other._all);
            both._all.AddRange(_all);
            return both;
        }

        public long Value(string name, string channel, params (string Key, string Value)[] more)
        {
            lock (_all)
                return _all.Where(m => m.Name == name && Equals(m.Tags.GetValueOrDefault("akka.system"), system)
                        && Equals(m.Tags.GetValueOrDefault("ipc.channel"), channel) && more.All(t => Equals(m.Tags.GetValueOrDefault(t.Key), t.Value)))
                    .Sum(m => m.Value);
        }
    }

    public new void Dispose()
    {
        try
        {
            Task.WhenAll(_transports.Select(t => t.Shutdown())).Wait(Timeout);
            _listener.Dispose();
        }
        finally
        {
            _directory.Dispose();
            base.Dispose();
        }
    }
}
