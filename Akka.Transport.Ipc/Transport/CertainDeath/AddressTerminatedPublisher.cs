using System.Reflection;
using System.Runtime.ExceptionServices;
using Akka.Actor;

namespace Akka.Transport.Ipc.Transport.CertainDeath;

/// <summary>
/// The one place that reaches into Akka's internals: publishes Akka's <c>Akka.Actor.AddressTerminated</c> on
/// <c>Akka.Event.AddressTerminatedTopic</c>, which is what Akka.Remote's own RemoteWatcher does when its failure
/// detector gives up on a node (ReapUnreachable). Every actor watching an actor at that address then gets
/// <c>Terminated</c> (existence confirmed, address terminated), and the RemoteWatcher drops its heartbeats to it.
/// Both types are internal to the Akka assembly and there is no public way to deliver Terminated for a whole
/// address, hence reflection, resolved once. <c>AkkaInternalsTests</c> fails loudly when Akka renames or reshapes
/// them; at run time a mismatch is reported by <see cref="TryCreate(out string)"/> (the caller logs it once) and
/// never throws.
/// </summary>
internal sealed class AddressTerminatedPublisher
{
    internal const string TopicTypeName = "Akka.Event.AddressTerminatedTopic";
    internal const string MessageTypeName = "Akka.Actor.AddressTerminated";

    private readonly MethodInfo _getTopic;
    private readonly MethodInfo _publish;
    private readonly ConstructorInfo _newMessage;

    private AddressTerminatedPublisher(MethodInfo getTopic, MethodInfo publish, ConstructorInfo newMessage)
    {
        _getTopic = getTopic;
        _publish = publish;
        _newMessage = newMessage;
    }

    /// <summary>Resolves the internals in the loaded Akka assembly; null with the reason when they are not there.</summary>
    public static AddressTerminatedPublisher? TryCreate(out string missing) =>
        TryCreate(typeof(ActorSystem).Assembly, TopicTypeName, MessageTypeName, out missing);

    /// <summary>As <see cref="TryCreate(out string)"/>, with the names given (tests prove the degraded path with wrong ones).</summary>
    internal static AddressTerminatedPublisher? TryCreate(Assembly akka, string topicTypeName, string messageTypeName, out string missing)
    {
        var topic = akka.GetType(topicTypeName, throwOnError: false);
        var message = akka.GetType(messageTypeName, throwOnError: false);
        const BindingFlags Static = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static;
        const BindingFlags Instance = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance;
        var getTopic = topic?.GetMethod("Get", Static, [typeof(ActorSystem)]);
        var publish = message == null ? null : topic?.GetMethod("Publish", Instance, [message]);
        var newMessage = message?.GetConstructor(Instance, [typeof(Address)]);
        missing =
            topic == null ? $"type {topicTypeName} not found in {akka.GetName().Name} {akka.GetName().Version}"
            : message == null ? $"type {messageTypeName} not found in {akka.GetName().Name} {akka.GetName().Version}"
            : getTopic == null || getTopic.ReturnType != topic ? $"{topicTypeName}.Get(ActorSystem) not found"
            : publish == null ? $"{topicTypeName}.Publish({messageTypeName}) not found"
            : newMessage == null ? $"{messageTypeName}(Address) constructor not found"
            : "";
        return missing.Length == 0 ? new AddressTerminatedPublisher(getTopic!, publish!, newMessage!) : null;
    }

    /// <summary>
    /// Tells every subscriber of the system's AddressTerminatedTopic (the watchers of actors at
    /// <paramref name="address"/>, and RemoteWatcher) that the address is gone. Throws only what Akka throws.
    /// </summary>
    public void Publish(ActorSystem system, Address address)
    {
        try
        {
            object topic = _getTopic.Invoke(null, [system])!;
            _publish.Invoke(topic, [_newMessage.Invoke([address])]);
        }
        catch (TargetInvocationException e) when (e.InnerException != null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
        }
    }
}
