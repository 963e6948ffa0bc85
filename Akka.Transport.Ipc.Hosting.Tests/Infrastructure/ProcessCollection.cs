namespace Akka.Transport.Ipc.Hosting.Tests.Infrastructure;

/// <summary>Tests that run several ActorSystems or processes go one at a time: each keeps both cores busy.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessCollection
{
    public const string Name = "Processes";
}
