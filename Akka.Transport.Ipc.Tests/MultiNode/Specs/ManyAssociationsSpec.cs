using Akka.Actor;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Akka.Transport.Ipc.Tests.TestActors;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

public sealed class ManyAssociationsConfig : MultiNodeConfig
{
    public ManyAssociationsConfig()
    {
        Node = Role("node");
        Senders = Role("senders");
        CommonConfig = ModeConfig.For("fifo");
    }

    public RoleName Node { get; }

    /// <summary>One process holding the sixteen sending ActorSystems (as the harness's test process did).</summary>
    public RoleName Senders { get; }
}

/// <summary>
/// 16 endpoints associate concurrently with one node over FIFOs: each streams 5 000 numbers, every stream arrives in
/// order with none missing, and the node serves them all with the one poll thread of its transport (exactly one
/// thread named ipc-…, an ipc-poll-, before and after): no thread per association. Ends with every system shut
/// down, no unexpected ERROR and the directory empty. (Ported from the NodeHost harness's ManyAssociationsTests.)
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class ManyAssociationsSpec : HarnessCheckedSpec
{
    private const int SenderSystems = 16;
    private const int PerSender = 5_000;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private readonly ManyAssociationsConfig _config;

    public ManyAssociationsSpec(ITestOutputHelper output) : this(new ManyAssociationsConfig(), output)
    {
    }

    private ManyAssociationsSpec(ManyAssociationsConfig config, ITestOutputHelper output) : base(config, output) => _config = config;

    [MultiNodeFact]
    public void Sixteen_concurrent_fifo_associations_keep_order_and_share_one_reader_thread()
    {
        RunOn(() =>
        {
            Sys.ActorOf(Props.Create<PerSenderVerifier>(), "per-sender-verifier");
            Assert.Single(TransportThreads());
        }, _config.Node);
        EnterBarrier("verifier-started");

        RunOn(() =>
        {
            var systems = Enumerable.Range(0, SenderSystems)
                .Select(i => ActorSystem.Create($"Sender{i}", Sys.Settings.Config))
                .ToList();
            try
            {
                var runs = systems.Select(system => SendStreamAsync(system, GetAddress(_config.Node))).ToArray();
                Assert.True(Task.WaitAll(runs, Timeout), $"the {SenderSystems} streams did not finish within {Timeout}");
                Assert.All(runs, run => Assert.Equal(new PerSenderVerifier.Done(PerSender), run.Result));
            }
            finally
            {
                Assert.True(Task.WhenAll(systems.Select(s => s.Terminate())).Wait(Timeout), "the sender systems did not terminate");
            }
        }, _config.Senders);
        EnterBarrier("streamed");

        RunOn(() =>
        {
            var threads = TransportThreads();
            Output!.WriteLine($"transport threads in the node with {SenderSystems} associations: {string.Join(", ", threads)}");
            Assert.Single(threads);
            Assert.StartsWith("ipc-poll-", threads[0]);
        }, _config.Node);

        ShutdownAndVerify(_config.Node);
    }

    private static async Task<object> SendStreamAsync(ActorSystem system, Address node)
    {
        var verifier = await system.ActorSelection(new RootActorPath(node) / "user" / "per-sender-verifier").ResolveOne(Timeout);
        var inbox = Inbox.Create(system);
        verifier.Tell(new PerSenderVerifier.Expect(PerSender), inbox.Receiver);
        for (int i = 0; i < PerSender; i++)
            verifier.Tell(i, inbox.Receiver);
        return await inbox.ReceiveAsync(Timeout);
    }

    /// <summary>Names of this process's threads that belong to the IPC transport (named ipc-…).</summary>
    private static List<string> TransportThreads() =>
        Directory.GetDirectories("/proc/self/task")
            .Select(task => File.ReadAllText(Path.Combine(task, "comm")).Trim())
            .Where(name => name.StartsWith("ipc-", StringComparison.Ordinal))
            .ToList();
}
