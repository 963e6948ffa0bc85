using Akka.Configuration;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

/// <summary>The transport mode a spec runs in: every spec below runs once over shared memory and once over FIFOs.</summary>
internal static class ModeConfig
{
    public static Config For(string mode) => ConfigurationFactory.ParseString($"""
        akka.loglevel = INFO
        akka.remote.ipc.mode = {mode}
        akka.remote.ipc.ring-size = 1MiB
        """);
}
