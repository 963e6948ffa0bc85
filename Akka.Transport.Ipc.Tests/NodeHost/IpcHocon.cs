namespace Akka.Transport.Ipc.Tests.NodeHost;

/// <summary>
/// Builds the transport's public HOCON contract. Shared by the child process and the test
/// process so both sides are configured identically.
/// </summary>
public static class IpcHocon
{
    public static string Build(
        string directory,
        int port = 0,
        string ringSize = "1MiB",
        string maxFrame = "128000b",
        string mode = "auto",
        string hostname = "localhost",
        string shmDirectory = "") => mode == "tcp" ? Tcp(port, maxFrame) : $$"""
        akka {
          actor.provider = remote
          remote {
            enabled-transports = ["akka.remote.ipc"]
            ipc {
              transport-class = "Akka.Transport.Ipc.IpcTransport, Akka.Transport.Ipc"
              hostname = {{Quote(hostname)}}
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

    /// <summary>
    /// The configuration of a NodeHost child: <see cref="Build"/>'s shapes for <see cref="NodeKinds.Ipc"/>,
    /// <see cref="Hybrid"/>, then <see cref="Cluster"/> on top when the node asks for the cluster provider.
    /// </summary>
    public static string ForNode(NodeOptions options)
    {
        string transport = options.Kind switch
        {
            NodeKinds.Hybrid => Hybrid(options.Directory, options.Port, options.NetworkTransport, options.RingSize,
                options.MaxFrame, options.Mode, options.ShmDirectory, options.DownDeadPeers),
            _ => Build(options.Directory, options.Port, options.RingSize, options.MaxFrame, options.Mode,
                shmDirectory: options.ShmDirectory),
        };
        // Later HOCON wins: the cluster part overrides the transport part's provider = remote.
        return options.Cluster ? transport + Environment.NewLine + Cluster() : transport;
    }

    /// <summary>
    /// The hybrid contract: akka.remote.ipc is the only enabled transport and carries the network transport
    /// (<paramref name="networkTransport"/>, dot-netty on 127.0.0.1 and <paramref name="port"/>), so the node's address
    /// is akka.tcp://…@127.0.0.1:port and peers advertised in <paramref name="directory"/> are reached over IPC.
    /// <paramref name="downDeadPeers"/> "" leaves that key out (the transport's default).
    /// </summary>
    public static string Hybrid(
        string directory,
        int port = 0,
        string networkTransport = "akka.remote.dot-netty.tcp",
        string ringSize = "1MiB",
        string maxFrame = "128000b",
        string mode = "auto",
        string shmDirectory = "",
        string downDeadPeers = "") => $$"""
        akka {
          actor.provider = remote
          remote {
            enabled-transports = ["akka.remote.ipc"]
            ipc {
              transport-class = "Akka.Transport.Ipc.IpcTransport, Akka.Transport.Ipc"
              directory = {{Quote(directory)}}
              network-transport = {{Quote(networkTransport)}}
              mode = {{mode}}
              shm-directory = {{Quote(shmDirectory)}}
              ring-size = {{ringSize}}
              maximum-frame-size = {{maxFrame}}
              connection-timeout = 15s
              {{(downDeadPeers.Length == 0 ? "" : "down-dead-peers = " + downDeadPeers)}}
            }
            # The same dot-netty section as the plain shape (Tcp), so the network path is configured alike on both.
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

    /// <summary>
    /// Akka.Cluster's provider on top of a transport shape (the node joins no cluster: the multi-node specs under
    /// MultiNode/Specs form clusters; NodeHost only starts a system that needs the provider).
    /// </summary>
    public static string Cluster() => "akka.actor.provider = cluster";

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
