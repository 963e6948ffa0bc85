namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>The dotnet muxer that runs this build, for the child processes tests start (examples, the akka-ipc tool).</summary>
public static class DotnetHost
{
    /// <summary>
    /// DOTNET_HOST_PATH (set by `dotnet test`/MSBuild), otherwise this process itself when it is dotnet, otherwise
    /// `dotnet` from PATH.
    /// </summary>
    public static string Path
    {
        get
        {
            var fromEnvironment = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(fromEnvironment) && File.Exists(fromEnvironment))
                return fromEnvironment;

            var self = Environment.ProcessPath;
            if (self is not null && System.IO.Path.GetFileNameWithoutExtension(self) == "dotnet")
                return self;

            return "dotnet";
        }
    }
}
