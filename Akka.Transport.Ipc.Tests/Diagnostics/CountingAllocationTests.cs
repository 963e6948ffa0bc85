using System.Diagnostics.Metrics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Remote.Transport;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Diagnostics;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Diagnostics;

/// <summary>
/// The per-frame counting on the hot path, as shipped (on), while a <see cref="MeterListener"/> listens to every
/// instrument of the meter and collects continuously on another thread (as dotnet-counters or an OpenTelemetry
/// reader does): <c>Write</c> still allocates nothing, and every frame is counted.
/// </summary>
public sealed class CountingAllocationTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly IpcTestDirectory _directory = new();
    private readonly List<IpcTransport> _transports = new();
    private readonly string _system;

    public CountingAllocationTests(ITestOutputHelper output)
        : this(output, "counting-" + Guid.NewGuid().ToString("N")[..8])
    {
    }

    private CountingAllocationTests(ITestOutputHelper output, string system) : base("akka.loglevel = INFO", system, output) =>
        _system = system;

    [Theory]
    [InlineData("shm")]
    [InlineData("fifo")]
    public async Task Write_allocates_nothing_per_frame_while_a_listener_collects_every_instrument_and_every_frame_is_counted(string mode)
    {
        const int Batch = 50, WarmUpBatches = 20, MeasuredBatches = 100, Frames = (WarmUpBatches + MeasuredBatches) * Batch;
        Assert.True(FrameCounting.Enabled, "frame counting is on unless a benchmark switches it off");
        long sentByThisSystem = 0, receivedByThisSystem = 0, measurements = 0;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == IpcMeter.Name)
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            Interlocked.Increment(ref measurements);
            if (!HasTag(tags, "akka.system", _system))
                return;
            if (instrument.Name == "akka.ipc.frames.sent")
                Volatile.Write(ref sentByThisSystem, value);
            else if (instrument.Name == "akka.ipc.frames.received")
                Volatile.Write(ref receivedByThisSystem, value);
        });
        listener.Start();

        var (outbound, inbound) = await ConnectedPairAsync(mode);
        int delivered = 0;
        inbound.ReadHandlerSource.SetResult(new RecordingHandleListener(_ => Interlocked.Increment(ref delivered)));
        outbound.ReadHandlerSource.SetResult(new RecordingHandleListener());
        using var collecting = new CancellationTokenSource();
        var collector = Task.Factory.StartNew(() =>
        {
            while (!collecting.IsCancellationRequested)
            {
                listener.RecordObservableInstruments();
                Thread.Sleep(1);
            }
        }, TaskCreationOptions.LongRunning);

        var result = await WriteAllocation.MeasureAsync(outbound, () => Volatile.Read(ref delivered), Batch, WarmUpBatches, MeasuredBatches);
        collecting.Cancel();
        await collector;

        Assert.True(result.AllAccepted);
        Assert.Equal(0, result.Allocated);
        Assert.Equal(Frames, Volatile.Read(ref delivered));
        Assert.True(Interlocked.Read(ref measurements) > 0, "the listener collected while the frames were written");
        listener.RecordObservableInstruments();
        Assert.Equal(Frames, Volatile.Read(ref sentByThisSystem));
        Assert.Equal(Frames, Volatile.Read(ref receivedByThisSystem));
    }

    private static bool HasTag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key, string value)
    {
        foreach (var tag in tags)
            if (tag.Key == key && Equals(tag.Value, value))
                return true;
        return false;
    }

    private async Task<(AssociationHandle Outbound, AssociationHandle Inbound)> ConnectedPairAsync(string mode)
    {
        var client = NewTransport(mode);
        var server = NewTransport(mode);
        await ListenAsync(client);
        var serverAddress = await ListenAsync(server);
        var outbound = await client.Associate(serverAddress).WaitAsync(Timeout);
        var inbound = ExpectMsg<InboundAssociation>(Timeout).Association;
        return (outbound, inbound);
    }

    private IpcTransport NewTransport(string mode)
    {
        var transport = new IpcTransport(Sys, ConfigurationFactory.ParseString($"directory = \"{_directory.Path}\"\nmode = {mode}"));
        _transports.Add(transport);
        return transport;
    }

    private async Task<Address> ListenAsync(IpcTransport transport)
    {
        var (address, promise) = await transport.Listen();
        promise.SetResult(new ActorAssociationEventListener(TestActor));
        return address;
    }

    public new void Dispose()
    {
        try
        {
            Task.WhenAll(_transports.Select(t => t.Shutdown())).Wait(Timeout);
        }
        finally
        {
            _directory.Dispose();
            base.Dispose();
        }
    }
}
