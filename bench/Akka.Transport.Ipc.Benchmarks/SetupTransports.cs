using Akka.Actor;
using Akka.Configuration;
using AkkaTransport = Akka.Remote.Transport.Transport;

namespace Akka.Transport.Ipc.Benchmarks;

/// <summary>
/// The raw transports of the setup part, driven through Akka's transport SPI with no actors: <see cref="IpcTransport"/>
/// over shm or FIFOs, the same with <c>network-transport = dot-netty</c> in one IPC directory (hybrid-local: the
/// shared-memory shortcut), and Akka's own dot-netty TCP transport, created from its <c>transport-class</c> exactly as
/// Akka.Remote's EndpointManager creates it (never a reimplementation).
/// </summary>
internal static class SetupTransports
{
    private const string DotNettyPath = "akka.remote.dot-netty.tcp";

    /// <summary>Akka.Remote's reference configuration (its embedded Remote.conf), which only a remote provider loads.</summary>
    private static Config RemoteReference =>
        ConfigurationFactory.FromResource<Akka.Remote.RemoteSettings>("Akka.Remote.Configuration.Remote.conf");

    /// <summary>
    /// The configuration of the (local) ActorSystem that hosts a raw transport: logging, and for the modes that use
    /// dot-netty its section on loopback with Akka.Remote's reference defaults underneath (a local system does not
    /// load them). Only akka.remote.ipc is "enabled", as the hybrid mode requires.
    /// </summary>
    public static Config SystemConfig(string mode)
    {
        var local = Hocon.Local;
        if (mode is not (ActorModes.Tcp or ActorModes.HybridLocal))
            return local;
        return ConfigurationFactory.ParseString($$"""
            akka.remote.enabled-transports = ["akka.remote.ipc"]
            {{DotNettyPath}} { hostname = "127.0.0.1", port = 0 }
            """).WithFallback(local).WithFallback(RemoteReference);
    }

    /// <summary>A new, not yet listening transport of <paramref name="mode"/> (one of the setup part's modes).</summary>
    public static AkkaTransport Create(ActorSystem system, string mode, string directory) => mode switch
    {
        ActorModes.IpcShm or ActorModes.IpcFifo => new IpcTransport(system, Hocon.RawSection(mode[4..], directory)),
        ActorModes.HybridLocal => new IpcTransport(system, ConfigurationFactory.ParseString($$"""
            network-transport = "{{DotNettyPath}}"
            mode = shm
            directory = "{{directory}}"
            maximum-frame-size = 128000b
            """)),
        ActorModes.Tcp => DotNetty(system),
        _ => throw new ArgumentException($"The setup part has no raw transport for mode {mode}"),
    };

    private static AkkaTransport DotNetty(ActorSystem system)
    {
        var section = system.Settings.Config.GetConfig(DotNettyPath);
        string className = section.GetString("transport-class");
        var type = Type.GetType(className) ?? throw new InvalidOperationException($"Cannot load {className}");
        return (AkkaTransport)Activator.CreateInstance(type, system, section)!;
    }
}
