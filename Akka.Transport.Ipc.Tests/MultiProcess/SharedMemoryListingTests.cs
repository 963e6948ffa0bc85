using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiProcess;

/// <summary>
/// README: "/dev/shm exactly as before". The whole /dev/shm listing, restricted to names this test's endpoints can
/// have created (its directory's token, its semaphore prefix, its processes' pids; other tests run in parallel),
/// is the same before the test and after a SIGKILLed peer, the next endpoint's sweep and a clean shutdown.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class SharedMemoryListingTests(ITestOutputHelper output) : MultiProcessTestKit(output, mode: "shm")
{
    [Fact]
    public async Task Dev_shm_is_exactly_as_before_after_a_killed_peer_the_next_sweep_and_shutdown()
    {
        var pids = new List<int> { Environment.ProcessId };
        // The kit's own system already listens; it shuts down with the rest, so its names are not part of "before".
        int ownPort = LocalAddress.Port!.Value;
        var before = Listing(pids)
            .Where(n => !n.Contains($"/{ownPort}.", StringComparison.Ordinal) && !n.EndsWith($"-{ownPort}", StringComparison.Ordinal))
            .ToArray();

        var victim = await StartNodeAsync("Victim");
        var survivor = await StartNodeAsync("Survivor");
        pids.AddRange([victim.ProcessId, survivor.ProcessId]);
        await survivor.RequestAsync($"PING {victim.Address} 1000", "PING-DONE", TimeSpan.FromMinutes(2));
        Assert.NotEqual(before, Listing(pids)); // the endpoints' names are visible while they run

        victim.Kill();
        var sweeper = await StartNodeAsync("Sweeper");
        pids.Add(sweeper.ProcessId);
        await ShutdownAndVerifyAsync();

        Assert.Equal(before, Listing(pids));
    }

    private string[] Listing(IReadOnlyList<int> pids)
    {
        string prefix = new ChannelNames(Path.GetFullPath(IpcDirectory.Path)).SemaphorePrefix.TrimStart('/');
        return Directory.EnumerateFileSystemEntries("/dev/shm", "*", SearchOption.AllDirectories)
            .Select(e => Path.GetRelativePath("/dev/shm", e))
            .Where(n => n.Contains(IpcDirectory.Token, StringComparison.Ordinal)
                || n.Contains(prefix, StringComparison.Ordinal)
                || pids.Any(pid => n.Contains(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)
            .ToArray();
    }
}
