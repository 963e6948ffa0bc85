using Akka.Configuration;

namespace PingPong;

/// <summary>The only thing that changes between TCP and IPC is this configuration.</summary>
internal static class Hocon
{
    public static Config For(string mode, int port, string directory) => ConfigurationFactory.ParseString(mode == "tcp"
        ? $$"""
            akka.actor.provider = remote
            akka.loglevel = WARNING
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = {{port}} }
            """
        : $$"""
            akka.actor.provider = remote
            akka.loglevel = WARNING
            akka.remote {
              enabled-transports = ["akka.remote.ipc"]
              ipc {
                transport-class = "Akka.Transport.Ipc.IpcTransport, Akka.Transport.Ipc"
                port = {{port}}
                mode = {{mode}}
                directory = "{{directory}}"
              }
            }
            """);
}
