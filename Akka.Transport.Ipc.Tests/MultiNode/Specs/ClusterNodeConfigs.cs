using Akka.Configuration;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

/// <summary>
/// Role configurations of the cluster specs ported from the NodeHost harness: the transport shapes (hybrid, plain
/// dot-netty) and Akka.Cluster with Akka's default failure detector and downing provider, stated here so the specs do
/// not depend on a default changing.
/// </summary>
internal static class ClusterNodeConfigs
{
    /// <summary>Largest payload of the exchanges: under dot-netty's maximum-frame-size (128000b) with room for Akka's envelope.</summary>
    public const int MaxPayload = 100_000;

    /// <summary>
    /// Akka.Cluster with the split-brain resolver, keep-majority, stable-after 20 s (Akka's default): a killed member is
    /// downed by it only 20 s after it became unreachable, so a spec that sees one removed sooner saw
    /// <c>down-dead-peers</c> do it. <paramref name="downDeadPeers"/> "on"/"off" sets <c>akka.remote.ipc.down-dead-peers</c>;
    /// <paramref name="heartbeatPause"/> the failure detector's acceptable-heartbeat-pause ("" = Akka's 3 s).
    /// </summary>
    public static Config Cluster(string downDeadPeers, string heartbeatPause = "") => ConfigurationFactory.ParseString($$"""
        akka.loglevel = INFO
        akka.actor.provider = cluster
        akka.remote.ipc.down-dead-peers = {{downDeadPeers}}
        akka.cluster {
          downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
          split-brain-resolver {
            active-strategy = keep-majority
            stable-after = 20s
          }
          {{(heartbeatPause.Length == 0 ? "" : "failure-detector.acceptable-heartbeat-pause = " + heartbeatPause)}}
        }
        """);

    /// <summary>
    /// The hybrid shape: akka.remote.ipc is the only enabled transport and carries dot-netty on 127.0.0.1, port 0; the
    /// role's address is dot-netty's, peers advertised in its IPC directory are reached over IPC.
    /// </summary>
    public static Config Hybrid { get; } = ConfigurationFactory.ParseString("""
        akka.remote.ipc {
          network-transport = "akka.remote.dot-netty.tcp"
          mode = auto
          ring-size = 1MiB
          maximum-frame-size = 128000b
          connection-timeout = 15s
        }
        akka.remote.dot-netty.tcp {
          hostname = "127.0.0.1"
          port = 0
          maximum-frame-size = 128000b
          send-buffer-size = 4MiB
          receive-buffer-size = 4MiB
        }
        """);

    /// <summary>Plain dot-netty on 127.0.0.1, port 0, without this transport (the same dot-netty section as <see cref="Hybrid"/>).</summary>
    public static Config PlainDotNetty { get; } = ConfigurationFactory.ParseString("""
        akka.remote.enabled-transports = ["akka.remote.dot-netty.tcp"]
        akka.remote.dot-netty.tcp {
          hostname = "127.0.0.1"
          port = 0
          maximum-frame-size = 128000b
          send-buffer-size = 4MiB
          receive-buffer-size = 4MiB
        }
        """);

    /// <summary>
    /// The configuration of a new incarnation of a role on <paramref name="port"/>: the network port for hybrid and
    /// plain dot-netty roles, the IPC port for akka.ipc roles, over <paramref name="config"/> (the role's own).
    /// </summary>
    public static Config OnPort(Config config, int port) => ConfigurationFactory.ParseString($"""
        akka.remote.ipc.port = {port}
        akka.remote.dot-netty.tcp.port = {port}
        """).WithFallback(config);
}
