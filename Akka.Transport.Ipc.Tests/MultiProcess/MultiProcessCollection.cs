namespace Akka.Transport.Ipc.Tests.MultiProcess;

/// <summary>
/// Multi-process tests run one at a time and not alongside other collections: each one keeps
/// two processes busy, which saturates a 2-core machine.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MultiProcessCollection
{
    public const string Name = "MultiProcess";
}
