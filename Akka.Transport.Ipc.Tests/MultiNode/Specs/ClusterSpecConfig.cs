using Akka.Configuration;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

/// <summary>
/// Cluster configuration for the specs: Akka.Cluster over IPC with the split-brain resolver (keep-majority) and a
/// failure detector and resolver tuned so a spec's membership changes take seconds, not the defaults' tens of seconds.
/// </summary>
internal static class ClusterSpecConfig
{
    public static Config KeepMajority { get; } = ConfigurationFactory.ParseString("""
        akka.loglevel = INFO
        akka.actor.provider = cluster
        akka.cluster.downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
        akka.cluster.split-brain-resolver.active-strategy = keep-majority
        akka.cluster.split-brain-resolver.stable-after = 2s
        akka.cluster.gossip-interval = 250ms
        akka.cluster.leader-actions-interval = 250ms
        akka.cluster.unreachable-nodes-reaper-interval = 250ms
        akka.cluster.failure-detector.heartbeat-interval = 250ms
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 2s
        akka.remote.retry-gate-closed-for = 500ms
        """);
}
