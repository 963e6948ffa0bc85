using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using System.Runtime.Versioning;
using Akka.Transport.Ipc.Configuration;

namespace Akka.Transport.Ipc.Hosting;

/// <summary>
/// Akka.Hosting's way in: <c>builder.WithIpcRemoting(...)</c> instead of Akka.Remote.Hosting's <c>WithRemoting(...)</c>
/// makes a hosted ActorSystem talk to the other processes of this host over shared memory (or FIFOs).
/// </summary>
/// <remarks>
/// Follows Akka.Remote.Hosting's conventions: the transport's reference configuration is added as a fallback
/// (<see cref="HoconAddMode.Append"/>), only the keys the caller set are added on top (<see cref="HoconAddMode.Prepend"/>),
/// together with <c>akka.remote.enabled-transports = ["akka.remote.ipc"]</c> and the transport class; the actor-ref
/// provider becomes <c>remote</c> unless <c>cluster</c> or a custom one is already selected, so <c>WithClustering</c>
/// may come before or after.
/// <para>
/// With <see cref="IpcRemoteOptions.NetworkTransport"/> set (e.g. <c>"akka.remote.dot-netty.tcp"</c>), the node keeps
/// its network address and uses IPC only for co-located peers. Configure that network section with Akka.Remote.Hosting's
/// <c>WithRemoting</c> as before, in either order: it writes only <c>akka.remote.dot-netty.tcp</c> keys (and the
/// failure detectors), never <c>enabled-transports</c>, so the IPC transport stays the only enabled one, as the hybrid
/// mode requires.
/// </para>
/// </remarks>
public static class AkkaIpcHostingExtensions
{
    /// <summary>The transport's section, the one entry of <c>akka.remote.enabled-transports</c>.</summary>
    public const string TransportSectionPath = "akka.remote.ipc";

    private const string ReferenceResource = "Akka.Transport.Ipc.Configuration.ipc.conf";
    [SupportedOSPlatform("linux")]
    private static readonly Lazy<string> ReferenceHocon = new(LoadReferenceHocon);

    /// <summary>Adds Akka.Remote over IPC to this ActorSystem.</summary>
    /// <param name="builder">The ActorSystem's configuration builder.</param>
    /// <param name="port">Optional endpoint number, 1-65535, unique per directory. <b>Default:</b> 0 (a free one).</param>
    /// <param name="directory">Optional directory shared with the peers. <b>Default:</b> <c>/dev/shm/akka-ipc-&lt;uid&gt;</c>.</param>
    /// <returns>The same <paramref name="builder"/>.</returns>
    /// <exception cref="ConfigurationException">An invalid value, naming the key and the value.</exception>
    public static AkkaConfigurationBuilder WithIpcRemoting(this AkkaConfigurationBuilder builder, int? port = null, string? directory = null) =>
        builder.WithIpcRemoting(new IpcRemoteOptions { Port = port, Directory = directory });

    /// <summary>Adds Akka.Remote over IPC to this ActorSystem, with options set by <paramref name="configure"/>.</summary>
    /// <param name="builder">The ActorSystem's configuration builder.</param>
    /// <param name="configure">Sets the options on a fresh <see cref="IpcRemoteOptions"/>.</param>
    /// <returns>The same <paramref name="builder"/>.</returns>
    /// <exception cref="ConfigurationException">An invalid value, naming the key and the value.</exception>
    public static AkkaConfigurationBuilder WithIpcRemoting(this AkkaConfigurationBuilder builder, Action<IpcRemoteOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new IpcRemoteOptions();
        configure(options);
        return builder.WithIpcRemoting(options);
    }

    /// <summary>Adds Akka.Remote over IPC to this ActorSystem, with <paramref name="options"/>.</summary>
    /// <param name="builder">The ActorSystem's configuration builder.</param>
    /// <param name="options">The keys to set; null properties keep their defaults. Not kept: later changes have no effect.</param>
    /// <returns>The same <paramref name="builder"/>.</returns>
    /// <exception cref="ConfigurationException">An invalid value, naming the key and the value.</exception>
    /// <exception cref="PlatformNotSupportedException">Not on Linux.</exception>
    public static AkkaConfigurationBuilder WithIpcRemoting(this AkkaConfigurationBuilder builder, IpcRemoteOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        // Checked here rather than by marking this assembly Linux-only, so that an application's other code paths
        // may mention these types without the platform analyzer flagging every call site.
        if (!OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException("Akka.Transport.Ipc runs on Linux only (POSIX shared memory, named semaphores, FIFOs).");

        string userKeys = options.ToHocon();
        // Validate now, exactly as the transport will when it starts, so a bad value fails here naming the key, not
        // later behind Akka.Remote's start-up exceptions. The set keys are prepended, so nothing can override them.
        IpcSettings.Create(ConfigurationFactory.ParseString(userKeys).GetConfig(TransportSectionPath) ?? Config.Empty);

        builder.AddHocon(ReferenceHocon.Value, HoconAddMode.Append);
        builder.AddHocon($"""
            akka.remote.enabled-transports = ["{TransportSectionPath}"]
            {TransportSectionPath}.transport-class = "{typeof(IpcTransport).FullName}, {typeof(IpcTransport).Assembly.GetName().Name}"
            {userKeys}
            """, HoconAddMode.Prepend);

        if (builder.ActorRefProvider.HasValue)
        {
            switch (builder.ActorRefProvider.Value)
            {
                case ProviderSelection.Cluster:
                case ProviderSelection.Remote:
                case ProviderSelection.Custom:
                    return builder;
            }
        }
        return builder.WithActorRefProvider(ProviderSelection.Remote.Instance);
    }

    /// <summary>The embedded <c>ipc.conf</c> of Akka.Transport.Ipc, as shipped (every key with its default).</summary>
    [SupportedOSPlatform("linux")]
    private static string LoadReferenceHocon()
    {
        using var stream = typeof(IpcSettings).Assembly.GetManifestResourceStream(ReferenceResource)
            ?? throw new InvalidOperationException($"{ReferenceResource} is missing from {typeof(IpcSettings).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
