using Akka.Actor;
using Akka.Configuration;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Hybrid;

/// <summary>
/// Nodes of one test in this process: its own IPC directory, the hybrid and plain dot-netty configurations, and
/// every system started terminated (then the directory checked empty) at dispose.
/// </summary>
public abstract class InProcessNodesKit(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit("akka.loglevel = INFO", output: output), IDisposable
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly List<ActorSystem> _systems = new();

    protected IpcTestDirectory IpcDirectory { get; } = new();

    protected ActorSystem Start(string name, Config config)
    {
        var system = ActorSystem.Create(name, config.WithFallback(ConfigurationFactory.ParseString("akka.loglevel = INFO")));
        _systems.Add(system);
        return system;
    }

    protected static Address AddressOf(ActorSystem system) => ((ExtendedActorSystem)system).Provider.DefaultAddress;

    /// <summary>A hybrid node: network-transport = dot-netty on 127.0.0.1, port 0, IPC <paramref name="directory"/>.</summary>
    internal static Config Hybrid(string directory, string network = "akka.remote.dot-netty.tcp", string mode = "auto") => ConfigurationFactory.ParseString($$"""
        akka.actor.provider = remote
        akka.remote {
          enabled-transports = ["akka.remote.ipc"]
          ipc {
            transport-class = "Akka.Transport.Ipc.IpcTransport, Akka.Transport.Ipc"
            directory = "{{directory}}"
            network-transport = "{{network}}"
            mode = {{mode}}
          }
          dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
        }
        """);

    /// <summary>A node without this transport: plain dot-netty on 127.0.0.1, port 0.</summary>
    internal static Config PlainDotNetty() => ConfigurationFactory.ParseString("""
        akka.actor.provider = remote
        akka.remote {
          enabled-transports = ["akka.remote.dot-netty.tcp"]
          dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
        }
        """);

    public new void Dispose()
    {
        try
        {
            Task.WhenAll(_systems.Select(s => s.Terminate())).Wait(Timeout);
        }
        finally
        {
            IpcDirectory.Dispose();
            base.Dispose();
        }
    }
}
