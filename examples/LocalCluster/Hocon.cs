using Akka.Configuration;

namespace LocalCluster;

/// <summary>
/// A node's configuration: a hybrid node (its address is dot-netty's akka.tcp one; peers advertised in the same IPC
/// directory are reached over shared memory) in an Akka.Cluster downed by the split-brain resolver.
/// </summary>
internal static class Hocon
{
    public const string SystemName = "LocalCluster";

    public static Config For(Options options) => ConfigurationFactory.ParseString($$"""
        akka {
          loglevel = {{(options.Verbose ? "INFO" : "WARNING")}}
          actor.provider = cluster
          remote {
            enabled-transports = ["akka.remote.ipc"]
            ipc {
              transport-class = "Akka.Transport.Ipc.IpcTransport, Akka.Transport.Ipc"
              network-transport = "akka.remote.dot-netty.tcp"
              directory = "{{options.Directory}}"
              {{(options.DownDeadPeers ? "down-dead-peers = on" : "")}}
            }
            dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
          }
          cluster {
            # keep-majority: after a kill, the 3 survivors of 4 are the majority and down the unreachable node once
            # the cluster has been stable for stable-after (Akka's default is 20 s; 2 s keeps the example short).
            downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
            split-brain-resolver {
              active-strategy = keep-majority
              stable-after = 2s
            }
          }
        }
        """);
}
