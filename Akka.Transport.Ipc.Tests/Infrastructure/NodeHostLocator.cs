using Akka.Transport.Ipc.Tests.NodeHost;

namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>Finds the `dotnet` host and the NodeHost entry assembly for child processes.</summary>
public static class NodeHostLocator
{
    /// <summary>
    /// The NodeHost dll copied next to the tests by the project reference. It is only startable
    /// with its runtimeconfig.json beside it, which the SDK copies for referenced Exe projects.
    /// </summary>
    public static string NodeHostAssembly
    {
        get
        {
            var dll = typeof(EchoActor).Assembly.Location;
            var runtimeConfig = Path.ChangeExtension(dll, ".runtimeconfig.json");
            if (!File.Exists(runtimeConfig))
            {
                throw new FileNotFoundException(
                    $"{runtimeConfig} is missing, so the NodeHost cannot be started with 'dotnet {dll}'.",
                    runtimeConfig);
            }

            return dll;
        }
    }

    /// <summary>
    /// The dotnet muxer running this build: DOTNET_HOST_PATH is set by `dotnet test`/MSBuild,
    /// otherwise this process itself when it is dotnet, otherwise `dotnet` from PATH.
    /// </summary>
    public static string DotnetHost
    {
        get
        {
            var fromEnvironment = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(fromEnvironment) && File.Exists(fromEnvironment))
                return fromEnvironment;

            var self = Environment.ProcessPath;
            if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
                return self;

            return "dotnet";
        }
    }
}
