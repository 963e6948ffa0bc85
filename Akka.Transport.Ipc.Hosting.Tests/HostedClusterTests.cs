using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Transport.Ipc.Hosting.Tests.Infrastructure;

namespace Akka.Transport.Ipc.Hosting.Tests;

/// <summary>WithIpcRemoting + WithClustering (in either order) on real hosts: the nodes form a cluster over IPC.</summary>
[Collection(ProcessCollection.Name)]
public sealed class HostedClusterTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly IpcDirectory _directory = new();

    [Fact]
    public async Task Two_hosts_with_WithIpcRemoting_and_WithClustering_form_a_cluster_and_leave_it_leaving_nothing()
    {
        const int seedPort = 4100;
        var cluster = new ClusterOptions { SeedNodes = [$"akka.ipc://Cluster@localhost:{seedPort}"] };
        await using (var first = await HostedSystem.StartAsync("Cluster", b => b.WithIpcRemoting(port: seedPort, directory: _directory.Path).WithClustering(cluster)))
        await using (var second = await HostedSystem.StartAsync("Cluster", b => b.WithClustering(cluster).WithIpcRemoting(directory: _directory.Path)))
        {
            var expected = new[] { first.Address, second.Address }.Order().ToList();
            Assert.All(expected, a => Assert.Equal("akka.ipc", a.Protocol));
            foreach (var node in new[] { first, second })
                await AwaitUpMembersAsync(node.System, expected);
            await second.StopAsync();
            await AwaitUpMembersAsync(first.System, [first.Address]);
        }
        _directory.AssertEmpty();
    }

    public void Dispose() => _directory.Dispose();

    /// <summary>Waits until the node sees exactly <paramref name="expected"/> as its Up members.</summary>
    private static async Task AwaitUpMembersAsync(ActorSystem system, IReadOnlyList<Address> expected)
    {
        var deadline = DateTime.UtcNow + Timeout;
        List<Address> up;
        while (true)
        {
            up = Cluster.Cluster.Get(system).State.Members.Where(m => m.Status == MemberStatus.Up).Select(m => m.Address).Order().ToList();
            if (up.SequenceEqual(expected) || DateTime.UtcNow > deadline)
                break;
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
        Assert.Equal(expected, up);
    }
}
