using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Akka.Remote;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Akka.Transport.Ipc.Tests.TestActors;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

public sealed class SmallTmpfsShmConfig : MultiNodeConfig
{
    public SmallTmpfsShmConfig()
    {
        Tester = Role("tester");
        Nodes = Enumerable.Range(0, 6).Select(i => Role($"node{i}")).ToArray();
        CommonConfig = ModeConfig.For("shm");
    }

    /// <summary>Mounts the tmpfs and associates with every node (the harness's test system).</summary>
    public RoleName Tester { get; }

    public RoleName[] Nodes { get; }
}

/// <summary>
/// mode = shm on a 3 MiB shm-directory: the tester's system associates with six node processes at a ring size where
/// only two segments fit. Some (1..5) associations get a segment and deliver all 20 000 messages in order; the others
/// fail ("not associated", never cut or reordered), each with an AssociationErrorEvent within 5 s (connection-timeout
/// is 15 s) naming ring-size, shm-directory, the bytes needed and free. No process dies (no SIGBUS: a dead role fails
/// the run), no unexpected ERROR, and the tmpfs and the IPC directory are empty afterwards. Skipped, visibly, where
/// no tmpfs can be mounted (not root). (Ported from the NodeHost harness's SmallTmpfsShmTests.)
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class SmallTmpfsShmSpec : SmallTmpfsSpec
{
    private const int PerNode = 20_000;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(10);
    private readonly SmallTmpfsShmConfig _config;

    public SmallTmpfsShmSpec(ITestOutputHelper output) : this(new SmallTmpfsShmConfig(), output)
    {
    }

    private SmallTmpfsShmSpec(SmallTmpfsShmConfig config, ITestOutputHelper output) : base(config, output) => _config = config;

    private string Settings => SettingsFor("shm");

    [MultiNodeFact(Timeout = 300_000)]
    public void Associations_that_do_not_fit_fail_at_once_naming_ring_size_and_shm_directory() => WithSmallTmpfs(_config.Tester, tmpfs =>
    {
        (ActorSystem System, Infrastructure.ErrorLogCollector Errors)? node = null;
        RunOn(() =>
        {
            node = StartSystem(Settings);
            node.Value.System.ActorOf(Props.Create<PerSenderVerifier>(), "per-sender-verifier");
        }, _config.Nodes);
        EnterBarrier("nodes-started");

        RunOn(() => StreamToEveryNode(tmpfs!), _config.Tester);
        EnterBarrier("streamed");

        RunOn(() => Stop(node!.Value), _config.Nodes);
        EnterBarrier("nodes-stopped");
        ShutdownAndVerify(_config.Tester);
        RunOn(() => Assert.Empty(tmpfs!.Entries()), _config.Tester);
    });

    private void StreamToEveryNode(Reliability.SmallTmpfs tmpfs)
    {
        long segment = SegmentLayout.TotalLength(512 * 1024);
        var nodes = _config.Nodes.Select(SystemUnderTestOf).ToList();
        Output!.WriteLine($"tmpfs {tmpfs.Path}: {tmpfs.FreeBytes()} bytes free, {segment} bytes per segment");
        var test = StartSystem(Settings);
        try
        {
            var errors = new ConcurrentQueue<(AssociationErrorEvent Event, TimeSpan At)>();
            var clock = Stopwatch.StartNew();
            var collector = test.System.ActorOf(Props.Create(() => new Collector(errors, clock)));
            test.System.EventStream.Subscribe(collector, typeof(AssociationErrorEvent));

            var results = Task.WhenAll(nodes.Select(node => StreamAsync(test.System, node))).Result;
            Output.WriteLine(string.Join(Environment.NewLine, results.Select((r, i) => $"{nodes[i]}: {r}")));

            var delivered = results.Where(r => r == "delivered").ToList();
            var failed = nodes.Where((_, i) => results[i] != "delivered").ToList();
            Assert.InRange(delivered.Count, 1, nodes.Count - 1); // some fit, some did not
            Assert.All(results, r => Assert.True(r is "delivered" or "not associated", r)); // no stream was cut or reordered
            foreach (var node in failed)
            {
                var (error, at) = errors.FirstOrDefault(e => e.Event.RemoteAddress == node);
                Assert.True(error != null, $"no AssociationErrorEvent for {node}");
                string message = Flatten(error!.Cause);
                Output.WriteLine($"{node} failed after {at.TotalMilliseconds:F0} ms: {message}");
                Assert.Contains("ring-size", message);
                Assert.Contains($"shm-directory '{tmpfs.Path}'", message);
                Assert.Contains($"needs {segment} bytes", message);
                Assert.Matches(@"which has \d+ bytes free", message);
                Assert.True(at < TimeSpan.FromSeconds(5), $"failed after {at}, expected at once (connection-timeout is 15 s)");
            }
        }
        finally
        {
            Stop(test);
        }
    }

    /// <summary>"delivered" (every number arrived in order), "not associated", or what went wrong.</summary>
    private static async Task<string> StreamAsync(ActorSystem system, Address node)
    {
        IActorRef verifier;
        try
        {
            verifier = await system.ActorSelection(new RootActorPath(node) / "user" / "per-sender-verifier").ResolveOne(ResolveTimeout);
        }
        catch (ActorNotFoundException)
        {
            return "not associated";
        }
        var inbox = Inbox.Create(system);
        verifier.Tell(new PerSenderVerifier.Expect(PerNode), inbox.Receiver);
        for (int i = 0; i < PerNode; i++)
            verifier.Tell(i, inbox.Receiver);
        var answer = await inbox.ReceiveAsync(Timeout);
        return answer is PerSenderVerifier.Done { Count: PerNode } ? "delivered" : $"wrong answer: {answer}";
    }

    private static string Flatten(Exception? e)
    {
        var messages = new List<string>();
        for (; e != null; e = e.InnerException)
            messages.Add(e.Message);
        return string.Join(" <- ", messages);
    }

    private sealed class Collector : ReceiveActor
    {
        public Collector(ConcurrentQueue<(AssociationErrorEvent, TimeSpan)> errors, Stopwatch clock) =>
            Receive<AssociationErrorEvent>(e => errors.Enqueue((e, clock.Elapsed)));
    }
}
