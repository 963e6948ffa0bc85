using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Transport;

/// <summary>An idle association costs no CPU: the receiver and the poll thread block instead of spinning.</summary>
public sealed class IdleThreadsTests(ITestOutputHelper output) : TransportTestKit("shm", output)
{
    [Fact]
    public async Task The_transport_threads_of_an_idle_association_stay_asleep()
    {
        var (outbound, inbound) = await ConnectedPairAsync();
        inbound.ReadHandlerSource.SetResult(new RecordingHandleListener());
        outbound.ReadHandlerSource.SetResult(new RecordingHandleListener());
        await Task.Delay(200); // let both settle into their sleep
        var threads = new[] { outbound.LocalAddress.Port!.Value, outbound.RemoteAddress.Port!.Value }
            .SelectMany(port => new[] { $"ipc-rings-{port}", $"ipc-poll-{port}" })
            .Select(name => (Name: name, Tid: ThreadCpu.FindThread(name)))
            .ToList();
        var before = threads.Select(t => ThreadCpu.OnCpu(t.Tid)).ToList();
        await Task.Delay(TimeSpan.FromSeconds(1));
        for (int i = 0; i < threads.Count; i++)
        {
            var spent = ThreadCpu.OnCpu(threads[i].Tid) - before[i];
            Output.WriteLine($"{threads[i].Name}: {spent.TotalMilliseconds:F1} ms of CPU in 1 s idle");
            Assert.True(spent < TimeSpan.FromMilliseconds(50), $"{threads[i].Name} used {spent.TotalMilliseconds:F0} ms of CPU while idle");
        }
    }
}
