using Akka.Actor;
using Akka.Transport.Ipc.Interop;

namespace Akka.Transport.Ipc.Endpoint;

/// <summary>
/// The registry of who is on this host: every live endpoint of an IPC directory advertises its address in its
/// lock file (<see cref="EndpointIdentity.ToLockInfo"/>). An address is co-located exactly when a live endpoint
/// of the same directory advertises it — decided by what the endpoints say while their locks are held, never by
/// guessing from hostnames or IP addresses (two processes on one host may call it <c>localhost</c>,
/// <c>127.0.0.1</c> or a public name; containers sharing /dev/shm may reuse the same <c>host:port</c>).
/// </summary>
internal static class AdvertisedEndpoints
{
    /// <summary>
    /// The endpoint port of the one live endpoint in <paramref name="names"/>' directory that advertises
    /// <paramref name="address"/> (transport level), other than <paramref name="ownPort"/>; null when there is
    /// none. When several live endpoints advertise it (containers sharing the directory with the same
    /// <c>host:port</c>), the address is ambiguous: null, with <paramref name="ambiguity"/> saying so.
    /// </summary>
    public static int? Find(ChannelNames names, Address address, int ownPort, out string? ambiguity)
    {
        ambiguity = null;
        int? found = null;
        foreach (var (port, identity) in Advertised(names))
        {
            if (port == ownPort || !identity.Advertises(address) || !Posix.IsLockHeld(names.Lock(port)))
                continue;
            if (found != null)
            {
                ambiguity = $"endpoints {found} and {port} in '{names.Directory}' both advertise {address}";
                return null;
            }
            found = port;
        }
        return found;
    }

    /// <summary>Every endpoint port of the directory whose lock file names an identity (live or not).</summary>
    private static IEnumerable<(int Port, EndpointIdentity Identity)> Advertised(ChannelNames names)
    {
        string[] files;
        try
        {
            files = System.IO.Directory.GetFiles(names.Directory, "*.lock");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break; // no directory yet: nobody advertises anything
        }
        foreach (var file in files)
        {
            if (ChannelNames.PortOf(Path.GetFileName(file)) is not int port)
                continue;
            if (EndpointLock.ReadInfo(file) is { } info && EndpointIdentity.FromLockInfo(info) is { } identity)
                yield return (port, identity);
        }
    }
}
