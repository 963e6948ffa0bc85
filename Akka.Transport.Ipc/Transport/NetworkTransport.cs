using Akka.Actor;
using Akka.Configuration;
using Akka.Transport.Ipc.Configuration;
using AkkaTransport = Akka.Remote.Transport.Transport;

namespace Akka.Transport.Ipc.Transport;

/// <summary>
/// Creates the network transport named by <c>akka.remote.ipc.network-transport</c> exactly as Akka.Remote's
/// EndpointManager creates a transport: the type named by the section's <c>transport-class</c>, constructed with
/// <c>(ActorSystem, Config)</c> and given the section as the system's configuration has it (Akka.Remote's own
/// <c>Remote.conf</c> underneath), so every feature of that transport (public-hostname, batching, SSL) works as
/// the user configured it. Every mistake fails the start naming <c>network-transport</c>.
/// </summary>
internal static class NetworkTransport
{
    private const string Key = "network-transport";

    /// <summary>The network transport, or null when <paramref name="path"/> is empty (local only).</summary>
    public static AkkaTransport? Create(ActorSystem system, string path)
    {
        if (path.Length == 0)
            return null;
        var config = system.Settings.Config;
        var section = config.HasPath(path) ? config.GetConfig(path) : null;
        if (section == null || section.IsEmpty)
            throw IpcSettings.Invalid(Key, path, "no such section in the configuration");
        if (path == IpcSettings.SectionPath)
            throw IpcSettings.Invalid(Key, path, "names this transport itself");
        if (config.GetStringList("akka.remote.enabled-transports", Array.Empty<string>()).Contains(path))
            throw IpcSettings.Invalid(Key, path,
                "is also listed in akka.remote.enabled-transports; list only akka.remote.ipc there, it carries the network transport's address and traffic");
        if (section.GetStringList("applied-adapters", Array.Empty<string>()).Count > 0)
            throw IpcSettings.Invalid(Key, path,
                $"{path}.applied-adapters is not empty; adapters go in akka.remote.ipc.applied-adapters, where they apply to every association");

        string className = section.GetString("transport-class", "");
        var type = className.Length == 0 ? null : Type.GetType(className);
        if (type == null || !typeof(AkkaTransport).IsAssignableFrom(type) || type == typeof(IpcTransport))
            throw IpcSettings.Invalid(Key, path, $"its transport-class '{className}' is not an Akka.Remote transport that can be loaded");
        if (type.GetConstructor(new[] { typeof(ActorSystem), typeof(Config) }) == null)
            throw IpcSettings.Invalid(Key, path, $"its transport-class '{className}' has no public (ActorSystem, Config) constructor");
        try
        {
            return (AkkaTransport)Activator.CreateInstance(type, system, section)!;
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException != null)
        {
            throw IpcSettings.Invalid(Key, path, $"its transport-class '{className}' failed to start: {e.InnerException.Message}");
        }
    }
}
