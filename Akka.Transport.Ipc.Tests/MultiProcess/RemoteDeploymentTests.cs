using Akka.Actor;
using Akka.Remote;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.NodeHost;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiProcess;

public abstract class RemoteDeploymentTests(string mode, ITestOutputHelper output) : MultiProcessTestKit(output, mode: mode)
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Actor_deployed_to_remote_scope_runs_in_the_child_process()
    {
        var node = await StartNodeAsync();

        var props = Props.Create<WhereAmI>().WithDeploy(new Deploy(new RemoteScope(node.Address)));
        var whereAmI = Sys.ActorOf(props, "where-am-i");
        var pid = await whereAmI.Ask<int>("where?", AskTimeout);

        TestOutput.WriteLine($"deployed {whereAmI.Path}; it runs in pid {pid}");
        Assert.NotEqual(Environment.ProcessId, pid);
        Assert.Equal(node.ProcessId, pid);
        Assert.Equal(node.Address, whereAmI.Path.Address);

        await ShutdownAndVerifyAsync();
    }
}

[Collection(MultiProcessCollection.Name)]
public sealed class ShmRemoteDeploymentTests(ITestOutputHelper output) : RemoteDeploymentTests("shm", output);

[Collection(MultiProcessCollection.Name)]
public sealed class FifoRemoteDeploymentTests(ITestOutputHelper output) : RemoteDeploymentTests("fifo", output);
