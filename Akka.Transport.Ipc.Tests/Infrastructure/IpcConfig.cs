using Akka.Configuration;

namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>
/// The transport's public HOCON contract for a test's ActorSystem, so every side of a test is configured the same way
/// (mode <c>tcp</c> gives the dot-netty.tcp baseline of the same shape).
/// </summary>
public static class IpcConfig
{
    public static Config For(
        string directory,
        int port = 0,
        string ringSize = "1MiB",
        string maxFrame = "128000b",
        string mode = "auto",
        string shmDirectory = "") =>
        ConfigurationFactory.ParseString(Hocon(directory, port, ringSize, maxFrame, mode, shmDirectory));

    private static string Hocon(string directory, int port, string ringSize, string maxFrame, string mode, string shmDirectory) => mode == "tcp" ? Tcp(port, maxFrame) : $$"""
        akka {
          actor.provider = remote
          remote {
            enabled-transports = ["akka.remote.ipc"]
            ipc {
              transport-class = "Akka.Transport.Ipc.IpcTransport, Akka.Transport.Ipc"
              hostname = "localhost"
              port = {{port}}
              directory = {{Quote(directory)}}
              mode = {{mode}}
              shm-directory = {{Quote(shmDirectory)}}
              ring-size = {{ringSize}}
              maximum-frame-size = {{maxFrame}}
              connection-timeout = 15s
            }
          }
        }
        """;

    /// <summary>The same shape over dot-netty.tcp on loopback: the baseline the IPC figures are compared with.</summary>
    private static string Tcp(int port, string maxFrame) => $$"""
        akka {
          actor.provider = remote
          remote {
            enabled-transports = ["akka.remote.dot-netty.tcp"]
            dot-netty.tcp {
              hostname = "127.0.0.1"
              port = {{port}}
              maximum-frame-size = {{maxFrame}}
              send-buffer-size = 4MiB
              receive-buffer-size = 4MiB
            }
          }
        }
        """;

    // HOCON quoted strings use JSON escaping rules.
    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
