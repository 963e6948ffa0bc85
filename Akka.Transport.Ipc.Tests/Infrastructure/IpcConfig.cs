using Akka.Configuration;

namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>Config for the test-process ActorSystem: the same HOCON the child processes use.</summary>
public static class IpcConfig
{
    public static Config For(
        string directory,
        int port = 0,
        string ringSize = "1MiB",
        string maxFrame = "128000b",
        string mode = "auto",
        string shmDirectory = "") =>
        ConfigurationFactory.ParseString(IpcHocon.Build(directory, port, ringSize, maxFrame, mode, shmDirectory: shmDirectory));
}
