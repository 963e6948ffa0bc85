using Akka.Actor;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.NodeHost;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiProcess;

/// <summary>
/// 16 endpoints associate concurrently with one node over FIFOs. Every stream arrives in order, and the node
/// serves them all with the one poll thread of its transport: no thread per association.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class ManyAssociationsTests(ITestOutputHelper output) : MultiProcessTestKit(output, mode: "fifo")
{
    private const int Senders = 16;
    private const int PerSender = 5_000;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Sixteen_concurrent_fifo_associations_keep_order_and_share_one_reader_thread()
    {
        var node = await StartNodeAsync();
        Assert.Equal(1, TransportThreads(node.ProcessId).Count);

        var systems = Enumerable.Range(0, Senders)
            .Select(i => ActorSystem.Create($"Sender{i}", IpcConfig.For(IpcDirectory.Path, mode: "fifo")))
            .ToList();
        try
        {
            var runs = systems.Select(system => SendStreamAsync(system, node.Address)).ToList();
            var results = await Task.WhenAll(runs).WaitAsync(Timeout);
            Assert.All(results, result => Assert.Equal(new PerSenderVerifier.Done(PerSender), result));

            var threads = TransportThreads(node.ProcessId);
            TestOutput.WriteLine($"transport threads in the node with {Senders} associations: {string.Join(", ", threads)}");
            Assert.Single(threads);
            Assert.StartsWith("ipc-poll-", threads[0]);
        }
        finally
        {
            await Task.WhenAll(systems.Select(s => s.Terminate())).WaitAsync(Timeout);
        }
        await ShutdownAndVerifyAsync();
    }

    private static async Task<object> SendStreamAsync(ActorSystem system, Address node)
    {
        var verifier = await system.ActorSelection($"{node}/user/per-sender-verifier").ResolveOne(Timeout);
        var inbox = Inbox.Create(system);
        verifier.Tell(new PerSenderVerifier.Expect(PerSender), inbox.Receiver);
        for (int i = 0; i < PerSender; i++)
            verifier.Tell(i, inbox.Receiver);
        return await inbox.ReceiveAsync(Timeout);
    }

    /// <summary>Names of the node's threads that belong to the IPC transport (named ipc-…).</summary>
    private static List<string> TransportThreads(int pid) =>
        Directory.GetDirectories($"/proc/{pid}/task")
            .Select(task => File.ReadAllText(Path.Combine(task, "comm")).Trim())
            .Where(name => name.StartsWith("ipc-", StringComparison.Ordinal))
            .ToList();
}
