using Akka.Actor;
using Akka.Configuration;
using Akka.Transport.Ipc.TestKit.Conductor;

namespace Akka.Transport.Ipc.TestKit.Node;

/// <summary>
/// Creates a role's ActorSystem for <see cref="MultiNodeSpec"/>'s base constructor. In the test process, where the
/// conductor only constructs the spec to learn its <see cref="MultiNodeConfig"/>, it hands the config over by
/// throwing <see cref="ConfigProbe.Captured"/> before any system exists.
/// </summary>
internal static class NodeSystem
{
    public static ActorSystem Create(MultiNodeConfig config)
    {
        ConfigProbe.ThrowIfProbing(config);
        var node = NodeContext.Current ?? throw new InvalidOperationException(
            "A MultiNodeSpec runs only as a [MultiNodeFact] under `dotnet test`: the kit starts one process per role.");
        var role = config.RoleNamed(node.Environment.Role);
        return ActorSystem.Create(node.Environment.SystemName, ConfigFor(config, role, node.Environment.IpcDirectory));
    }

    /// <summary>The role's configuration; see <see cref="MultiNodeConfig"/> for the order.</summary>
    internal static Config ConfigFor(MultiNodeConfig config, RoleName role, string ipcDirectory)
    {
        string forced = $$"""
            akka.remote.ipc.directory = "{{ipcDirectory}}"
            akka.remote.ipc.port = 0
            """;
        if (config.TestTransport)
            forced += "\nakka.remote.ipc.applied-adapters = [trttl]";
        const string defaults = """
            akka.actor.provider = remote
            akka.remote.enabled-transports = ["akka.remote.ipc"]
            akka.remote.ipc.transport-class = "Akka.Transport.Ipc.IpcTransport, Akka.Transport.Ipc"
            akka.coordinated-shutdown.exit-clr = off
            """;
        return ConfigurationFactory.ParseString(forced)
            .WithFallback(config.ConfigOf(role))
            .WithFallback(config.CommonConfig)
            .WithFallback(ConfigurationFactory.ParseString(defaults))
            .WithFallback(Akka.TestKit.TestKitBase.DefaultConfig);
    }
}
