using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Akka.Remote;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Akka.Transport.Ipc.Tests.NodeHost;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Reliability;

/// <summary>
/// mode = shm on a 3 MiB shm-directory: the test system associates with six node processes at a ring size where
/// only two segments fit. The associations that get a segment deliver every message in order; the others fail at
/// once (well before connection-timeout) with an error naming ring-size, shm-directory and the bytes needed and
/// free. No process dies (no SIGBUS), and the tmpfs and the IPC directory are empty afterwards.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class SmallTmpfsShmTests : MultiProcessTestKit
{
    private const string Ring = "512KiB";
    private const int Nodes = 6;
    private const int PerNode = 20_000;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(10);
    private readonly SmallTmpfs _tmpfs;

    public SmallTmpfsShmTests(ITestOutputHelper output) : this(SmallTmpfs.Mount(), output)
    {
    }

    private SmallTmpfsShmTests(SmallTmpfs tmpfs, ITestOutputHelper output)
        : base(output, ringSize: Ring, mode: "shm", shmDirectory: tmpfs.Path) => _tmpfs = tmpfs;

    [SkippableFact]
    public async Task Associations_that_do_not_fit_fail_at_once_naming_ring_size_and_shm_directory()
    {
        Skip.IfNot(_tmpfs.Mounted, _tmpfs.SkipReason);
        long segment = SegmentLayout.TotalLength(512 * 1024);
        var nodes = await Task.WhenAll(Enumerable.Range(0, Nodes).Select(i => StartNodeAsync($"Node{i}")));
        TestOutput.WriteLine($"tmpfs {_tmpfs.Path}: {_tmpfs.FreeBytes()} bytes free, {segment} bytes per segment");

        var errors = new ConcurrentQueue<(AssociationErrorEvent Event, TimeSpan At)>();
        var clock = Stopwatch.StartNew();
        var collector = Sys.ActorOf(Props.Create(() => new Collector(errors, clock)));
        Sys.EventStream.Subscribe(collector, typeof(AssociationErrorEvent));

        var results = await Task.WhenAll(nodes.Select(node => StreamAsync(node.Address)));
        TestOutput.WriteLine(string.Join(Environment.NewLine, results.Select((r, i) => $"{nodes[i].Address}: {r}")));

        var dead = nodes.Where(n => n.HasExited).Select(n => $"{n.Address} (pid {n.ProcessId}) exited with {n.ExitCode}{(n.ExitCode is 134 or 135 ? " (SIGBUS: 135, or 134 when .NET turns it into a fatal AccessViolationException)" : "")}").ToList();
        Assert.True(dead.Count == 0, "nodes died: " + string.Join("; ", dead));

        var delivered = results.Where(r => r == "delivered").ToList();
        var failed = nodes.Where((_, i) => results[i] != "delivered").ToList();
        Assert.InRange(delivered.Count, 1, Nodes - 1); // some fit, some did not
        Assert.All(results, r => Assert.True(r is "delivered" or "not associated", r)); // no stream was cut or reordered
        foreach (var node in failed)
        {
            var (error, at) = errors.FirstOrDefault(e => e.Event.RemoteAddress == node.Address);
            Assert.True(error != null, $"no AssociationErrorEvent for {node.Address}");
            string message = Flatten(error!.Cause);
            TestOutput.WriteLine($"{node.Address} failed after {at.TotalMilliseconds:F0} ms: {message}");
            Assert.Contains("ring-size", message);
            Assert.Contains($"shm-directory '{_tmpfs.Path}'", message);
            Assert.Contains($"needs {segment} bytes", message);
            Assert.Matches(@"which has \d+ bytes free", message);
            Assert.True(at < TimeSpan.FromSeconds(5), $"failed after {at}, expected at once (connection-timeout is 15 s)");
        }

        await ShutdownAndVerifyAsync();
        Assert.Empty(_tmpfs.Entries());
    }

    /// <summary>"delivered" (every number arrived in order), "not associated", or what went wrong.</summary>
    private async Task<string> StreamAsync(Address node)
    {
        IActorRef verifier;
        try
        {
            verifier = await Sys.ActorSelection($"{node}/user/per-sender-verifier").ResolveOne(ResolveTimeout);
        }
        catch (ActorNotFoundException)
        {
            return "not associated";
        }
        var inbox = Inbox.Create(Sys);
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

    protected override void Dispose(bool disposing)
    {
        try
        {
            base.Dispose(disposing);
        }
        finally
        {
            _tmpfs.Dispose();
        }
    }

    private sealed class Collector : ReceiveActor
    {
        public Collector(ConcurrentQueue<(AssociationErrorEvent, TimeSpan)> errors, Stopwatch clock) =>
            Receive<AssociationErrorEvent>(e => errors.Enqueue((e, clock.Elapsed)));
    }
}
