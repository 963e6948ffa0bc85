using Akka.Actor;
using Akka.Transport.Ipc.Transport.CertainDeath;

namespace Akka.Transport.Ipc.Tests.CertainDeath;

/// <summary>
/// The Akka internals the certain-death reactor relies on (<see cref="AddressTerminatedPublisher"/>) exist with the
/// shapes it uses in the Akka version we build against. If Akka renames or reshapes them, this fails first, naming
/// what is missing; at run time the reactor would then log one warning and leave DeathWatch to Akka's detector.
/// </summary>
public sealed class AkkaInternalsTests
{
    [Fact]
    public void AddressTerminated_and_its_topic_exist_with_the_shapes_the_publisher_uses()
    {
        var publisher = AddressTerminatedPublisher.TryCreate(out string missing);
        Assert.True(publisher != null, $"Akka {typeof(ActorSystem).Assembly.GetName().Version} changed its internals: {missing}");
        Assert.Equal("", missing);
        // What makes the message reach a watcher's cell: ActorCell handles it as an auto-received message.
        var message = typeof(ActorSystem).Assembly.GetType(AddressTerminatedPublisher.MessageTypeName)!;
        Assert.True(typeof(IAutoReceivedMessage).IsAssignableFrom(message), $"{message} is no longer an IAutoReceivedMessage");
    }

    [Theory]
    [InlineData("Akka.Event.NoSuchTopic", AddressTerminatedPublisher.MessageTypeName, "type Akka.Event.NoSuchTopic not found in Akka")]
    [InlineData(AddressTerminatedPublisher.TopicTypeName, "Akka.Actor.NoSuchMessage", "type Akka.Actor.NoSuchMessage not found in Akka")]
    [InlineData(AddressTerminatedPublisher.TopicTypeName, "Akka.Actor.Terminated", "Akka.Event.AddressTerminatedTopic.Publish(Akka.Actor.Terminated) not found")]
    public void Missing_internals_are_reported_as_a_reason_not_thrown(string topic, string message, string reason)
    {
        var publisher = AddressTerminatedPublisher.TryCreate(typeof(ActorSystem).Assembly, topic, message, out string missing);
        Assert.Null(publisher);
        Assert.StartsWith(reason, missing);
    }
}
