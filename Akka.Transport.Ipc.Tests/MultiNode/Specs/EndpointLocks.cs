using System.Globalization;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Tests.TestActors;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

/// <summary>
/// Reads the endpoints' lock files of an IPC directory (each names its holder's pid): how a role finds another role's
/// process, or the bare transport (RawSink) another role started beside its system, without
/// asking over the transport under test.
/// </summary>
internal static class EndpointLocks
{
    /// <summary>The pid the endpoint on <paramref name="port"/> wrote into its lock file ("pid=… …").</summary>
    public static int PidOf(string directory, int port)
    {
        string info = EndpointLock.ReadInfo(new ChannelNames(directory).Lock(port))
            ?? throw new InvalidOperationException($"the lock of port {port} in {directory} holds no info");
        var field = info.Split(' ', StringSplitOptions.RemoveEmptyEntries).Single(f => f.StartsWith("pid=", StringComparison.Ordinal));
        return int.Parse(field.AsSpan(4), CultureInfo.InvariantCulture);
    }

    /// <summary>The one other endpoint held by the process that holds <paramref name="port"/> (e.g. its raw sink).</summary>
    public static int OtherPortOfSameProcess(string directory, int port)
    {
        int pid = PidOf(directory, port);
        return Directory.GetFiles(directory, "*.lock")
            .Select(f => ChannelNames.PortOf(Path.GetFileName(f)))
            .OfType<int>()
            .Single(other => other != port && PidOf(directory, other) == pid);
    }
}
