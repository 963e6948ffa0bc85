using System.Diagnostics.Metrics;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Diagnostics;

namespace Akka.Transport.Ipc.Benchmarks;

/// <summary>
/// How a child process of the metrics part runs the transport's per-frame counting (child argument <c>--metrics</c>):
/// <see cref="Off"/> (switched off through the library's internal <see cref="FrameCounting"/>, as before metrics
/// existed), <see cref="On"/> (as users run it; the default of every other part) or <see cref="Listener"/> (on, with a
/// <see cref="MeterListener"/> on every instrument of the meter, collecting every second as dotnet-counters does).
/// </summary>
internal static class MetricsVariant
{
    public const string Off = "off";
    public const string On = "on";
    public const string Listener = "listener";

    /// <summary>In comparison order: the baseline first.</summary>
    public static readonly string[] All = { Off, On, Listener };

    public static readonly TimeSpan CollectInterval = TimeSpan.FromSeconds(1);

    private static MeterListener? s_listener;
    private static Timer? s_collector;
    private static long s_measurements;

    /// <summary>Child side, before any transport starts: applies <paramref name="variant"/> for this process.</summary>
    public static void Apply(string variant)
    {
        switch (variant)
        {
            case On:
                break;
            case Off:
                FrameCounting.SwitchOffForThisProcess();
                break;
            case Listener:
                StartListener();
                break;
            default:
                throw new ArgumentException($"--metrics: '{variant}' is not one of {string.Join(", ", All)}");
        }
    }

    /// <summary>Measurements the listener received so far (null without one).</summary>
    public static long? Measurements => s_collector == null ? null : Interlocked.Read(ref s_measurements);

    /// <summary>
    /// The frames this process's associations counted, sent and received, from the meter's totals (ended
    /// associations included), read with a listener of its own: what a collection by any tool would report.
    /// </summary>
    public static (long Sent, long Received) CountedFrames()
    {
        long sent = 0, received = 0;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == IpcMeter.Name && instrument.Name is "akka.ipc.frames.sent" or "akka.ipc.frames.received")
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "akka.ipc.frames.sent")
                sent += value;
            else
                received += value;
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return (sent, received);
    }

    private static void StartListener()
    {
        s_listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == IpcMeter.Name)
                    listener.EnableMeasurementEvents(instrument);
            },
        };
        // What an exporter does with each value, minus the export: it is read and kept.
        s_listener.SetMeasurementEventCallback<long>((_, _, _, _) => Interlocked.Increment(ref s_measurements));
        s_listener.SetMeasurementEventCallback<int>((_, _, _, _) => Interlocked.Increment(ref s_measurements));
        s_listener.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref s_measurements));
        s_listener.Start();
        s_collector = new Timer(_ => s_listener.RecordObservableInstruments(), null, CollectInterval, CollectInterval);
    }
}
