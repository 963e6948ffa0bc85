using System.Net.Sockets;
using Akka.Transport.Ipc.TestKit.Conductor;
using Akka.Transport.Ipc.TestKit.Protocol;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Kit;

/// <summary>
/// A node whose conductor disappears (the test host killed, say) exits by itself instead of living on: here the
/// test plays the conductor, lets a real node join and report ready, then closes the connection without a word.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class ConductorLostTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_node_exits_when_its_conductor_connection_closes()
    {
        // The IPC directory checks at dispose that nothing is left in it or among its semaphores.
        using var directory = new IpcTestDirectory();
        var socketDirectory = Directory.CreateTempSubdirectory("akka-ipc-conductor-lost-");
        string socketPath = Path.Combine(socketDirectory.FullName, "conductor.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(1);
        string ipc = directory.Path;

        var log = new RunOutput(output.WriteLine);
        var environment = new NodeEnvironment(socketPath, "a", ipc, "ConductorLost", typeof(PatientSpecs).Assembly.Location,
            typeof(PatientSpecs).FullName!, nameof(PatientSpecs.Hanging_role));
        using var node = RoleProcess.Start(environment, log);

        using (var connection = new MessageChannel(await listener.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(60))))
        {
            var ready = new TaskCompletionSource<ConductorMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
            var reading = connection.RunReaderAsync(m =>
            {
                if (m.Kind == "ready")
                    ready.TrySetResult(m);
            });
            var message = await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
            output.WriteLine($"node ready at {message.Address}; closing the conductor connection");
        }

        int exitCode = await node.Exited.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(70, exitCode);
        Assert.Contains("[a] [multinode] the conductor connection closed: exiting", log.Lines);
        // It left through ProcessExit, so its endpoint released its names: the directory holds nothing of it.
        Assert.Empty(Directory.EnumerateFileSystemEntries(ipc));
        listener.Dispose();
        socketDirectory.Delete(recursive: true);
    }
}
