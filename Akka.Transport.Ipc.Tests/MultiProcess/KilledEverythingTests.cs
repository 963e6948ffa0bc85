using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiProcess;

/// <summary>
/// Every process of a directory killed with SIGKILL mid-traffic: the next endpoint started there removes the dead
/// endpoints' locks, FIFOs, segments and semaphores, and can take a crashed endpoint's port.
/// </summary>
public abstract class KilledEverythingTests(string mode, ITestOutputHelper output) : MultiProcessTestKit(output, mode: mode)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task After_everyone_is_killed_the_next_endpoint_sweeps_all_debris_and_takes_a_dead_port()
    {
        var a = await StartNodeAsync("A");
        var b = await StartNodeAsync("B");
        await a.RequestAsync($"PING {b.Address} 1000", "PING-DONE", Timeout);
        await b.SendAsync($"PRODUCE {a.Address} 1000000"); // traffic in flight when they die
        await Task.Delay(200);
        a.Kill();
        b.Kill();

        var names = new ChannelNames(IpcDirectory.Path);
        int[] dead = [a.Address.Port!.Value, b.Address.Port!.Value];
        var debris = Directory.GetFileSystemEntries(IpcDirectory.Path);
        TestOutput.WriteLine($"left by the killed nodes: {string.Join(", ", debris.Select(Path.GetFileName))}");
        Assert.NotEmpty(debris);
        if (Mode == "shm")
            Assert.All(dead, port => Assert.True(File.Exists(SemaphoreFile(names, port)), $"no doorbell of {port} to sweep"));

        // The next endpoint takes A's port.
        var phoenix = await StartNodeAsync("A", port: dead[0]);
        Assert.Equal(a.Address, phoenix.Address);
        var left = Directory.GetFileSystemEntries(IpcDirectory.Path).Select(Path.GetFileName).ToList();
        Assert.DoesNotContain(left, name => name!.StartsWith($"{dead[1]}", StringComparison.Ordinal));
        Assert.DoesNotContain(left, name => name!.EndsWith(".seg", StringComparison.Ordinal) || name!.EndsWith(".c2s", StringComparison.Ordinal) || name!.EndsWith(".s2c", StringComparison.Ordinal));
        int self = LocalAddress.Port!.Value; // the test's own system lives in the directory too
        string[] Endpoint(int port) => [$"{port}.accept", $"{port}.life", $"{port}.lock"];
        // Live endpoints also publish <port>.stats (and, for an instant, .stats-new) on a timer: not debris.
        var liveNames = left.Where(n => !n!.EndsWith(".stats", StringComparison.Ordinal) && !n!.EndsWith(".stats-new", StringComparison.Ordinal));
        Assert.Equal(Endpoint(dead[0]).Concat(Endpoint(self)).Order(), liveNames.Order());
        Assert.False(File.Exists(SemaphoreFile(names, dead[1])));

        await ShutdownAndVerifyAsync();
    }

    private static string SemaphoreFile(ChannelNames names, int port) => "/dev/shm/sem." + names.Doorbell(port).TrimStart('/');
}

[Collection(MultiProcessCollection.Name)]
public sealed class ShmKilledEverythingTests(ITestOutputHelper output) : KilledEverythingTests("shm", output);

[Collection(MultiProcessCollection.Name)]
public sealed class FifoKilledEverythingTests(ITestOutputHelper output) : KilledEverythingTests("fifo", output);
