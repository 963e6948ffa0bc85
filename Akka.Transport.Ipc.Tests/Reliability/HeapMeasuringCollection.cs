namespace Akka.Transport.Ipc.Tests.Reliability;

/// <summary>
/// Tests that bound the process's managed heap run alone: GC figures are process-wide, so a test class running in
/// parallel would count its own allocations against them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeapMeasuringCollection
{
    public const string Name = "HeapMeasuring";
}
