using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Akka.Transport.Ipc.Hosting.Tests.Infrastructure;

/// <summary>
/// A real generic host (<see cref="IHost"/>) whose ActorSystem Akka.Hosting builds from the test's builder calls,
/// with an <see cref="ErrorLog"/> on it from its start. Disposing stops the host (CoordinatedShutdown
/// runs, the transport removes its files) and then fails on an unexpected ERROR the system logged.
/// </summary>
internal sealed class HostedSystem : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private bool _stopped;

    private HostedSystem(IHost host, ActorSystem system, ErrorLog errors)
    {
        Host = host;
        System = system;
        Errors = errors;
    }

    public IHost Host { get; }

    public ActorSystem System { get; }

    public ErrorLog Errors { get; }

    /// <summary>The ActorSystem's own address (the transport's listen address).</summary>
    public Address Address => ((ExtendedActorSystem)System).Provider.DefaultAddress;

    /// <summary>Builds and starts a host; <paramref name="configure"/> is the application's <c>AddAkka</c> body.</summary>
    public static async Task<HostedSystem> StartAsync(string name, Action<AkkaConfigurationBuilder> configure)
    {
        var host = Build(name, configure);
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }
        var system = host.Services.GetRequiredService<ActorSystem>();
        return new HostedSystem(host, system, ErrorLog.Install(system));
    }

    /// <summary>Builds a host without starting it (for start failures).</summary>
    public static IHost Build(string name, Action<AkkaConfigurationBuilder> configure) =>
        new HostBuilder()
            .ConfigureServices(services => services.AddAkka(name, (builder, _) => configure(builder)))
            .Build();

    /// <summary>Stops the host and its ActorSystem (idempotent).</summary>
    public async Task StopAsync()
    {
        if (_stopped)
            return;
        _stopped = true;
        using var timeout = new CancellationTokenSource(StopTimeout);
        await Host.StopAsync(timeout.Token);
        await System.WhenTerminated.WaitAsync(StopTimeout);
        Host.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Errors.AssertNoUnexpectedErrors();
    }
}
