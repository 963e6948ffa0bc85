using Akka.Transport.Ipc.Primitives;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Primitives;

/// <summary>
/// The shm receiver's idle strategy when the cores are oversubscribed (issue 15, connection set-up): a yielding
/// thread stays runnable behind every busy thread and sees the next frame a scheduler slice late, so after a slow
/// yield the strategy must block right after spinning, where a writer's post wakes it at once.
/// </summary>
[Collection(MultiProcessCollection.Name)] // it saturates the cores on purpose: nothing else may run meanwhile
public sealed class IdleStrategyTests(ITestOutputHelper output)
{
    private const int Cycles = 40;

    [Fact]
    public void With_every_core_busy_it_stops_yielding_and_blocks_right_after_spinning()
    {
        var idle = new IdleStrategy();
        var pollsUntilBlock = new List<int>();
        using (new BusyThreads(Environment.ProcessorCount * 2))
        {
            Thread.Sleep(50); // the busy threads are running
            for (int cycle = 0; cycle < Cycles; cycle++)
            {
                int polls = 1;
                while (!idle.Idle())
                    polls++;
                pollsUntilBlock.Add(polls);
                idle.Reset();
            }
        }
        output.WriteLine($"empty polls until 'block', per idle cycle, {Environment.ProcessorCount * 2} busy threads on " +
            $"{Environment.ProcessorCount} cores: {string.Join(' ', pollsUntilBlock)}");
        // Spinning alone: SpinPolls empty polls, and the next one says block. With yields: YieldPolls more, each
        // giving the core away for a slice. Once a yield came back slow, yielding stays off for a second.
        int spinOnly = pollsUntilBlock.Count(p => p == IdleStrategy.SpinPolls + 1);
        Assert.True(spinOnly >= Cycles / 2,
            $"only {spinOnly} of {Cycles} idle cycles blocked right after spinning with every core busy: {string.Join(' ', pollsUntilBlock)}");
        Assert.All(pollsUntilBlock, p => Assert.InRange(p, IdleStrategy.SpinPolls + 1, IdleStrategy.SpinPolls + IdleStrategy.YieldPolls + 1));
    }
}
