using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace PingPong;

/// <summary>
/// <c>--otel</c>: the transport's metrics through OpenTelemetry, as an application would export them — the meter
/// <c>Akka.Transport.Ipc</c> added to a MeterProvider, here with the console exporter (swap in OTLP, Prometheus, …).
/// The exporter prints every minute and once more when the provider is disposed: the totals of the whole run.
/// </summary>
internal static class Telemetry
{
    /// <summary>A provider exporting the transport's meter to the console, or null when <paramref name="enabled"/> is false.</summary>
    public static MeterProvider? Start(bool enabled, string service) => enabled
        ? Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(resource => resource.AddService(service))
            .AddMeter("Akka.Transport.Ipc")
            .AddConsoleExporter()
            .Build()
        : null;
}
