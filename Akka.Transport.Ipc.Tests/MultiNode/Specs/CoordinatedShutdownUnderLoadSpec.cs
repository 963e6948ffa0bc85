using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Configuration;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Akka.Transport.Ipc.Tests.TestActors;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

public sealed class CoordinatedShutdownUnderLoadConfig : MultiNodeConfig
{
    public CoordinatedShutdownUnderLoadConfig(string mode)
    {
        Streamer = Role("streamer");
        Node = Role("node");
        CommonConfig = ConfigurationFactory.ParseString("akka.remote.ipc.ring-size = 64KiB").WithFallback(ModeConfig.For(mode));
    }

    /// <summary>Streams, then shuts down under load (the harness's test system).</summary>
    public RoleName Streamer { get; }

    public RoleName Node { get; }
}

/// <summary>
/// CoordinatedShutdown while messages flow: what reached the node is an unbroken prefix of the stream (one sender, no
/// gap, at least 1 000 and at most what was told), the transport flushed everything it had accepted (no "shut down
/// with frames still queued" warning), remoting logs its orderly shutdown ("Remoting shut down", "Remote daemon shut
/// down; proceeding with flushing remote transports."), no ERROR reaches the user, the node shuts down cleanly too
/// and the directory ends empty. (Ported from the NodeHost harness's CoordinatedShutdownUnderLoadTests; the node's
/// count is asked by a fresh system of the streamer's process, where the harness asked over stdin.)
/// </summary>
public abstract class CoordinatedShutdownUnderLoadSpec(CoordinatedShutdownUnderLoadConfig config, ITestOutputHelper output)
    : HarnessCheckedSpec(config, output)
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(60);

    [MultiNodeFact]
    public void CoordinatedShutdown_while_streaming_delivers_an_unbroken_prefix_and_flushes()
    {
        RunOn(() => Sys.ActorOf(Props.Create<PerSenderVerifier>(), "per-sender-verifier"), config.Node);
        EnterBarrier("verifier-started");
        RunOn(ShutDownWhileStreaming, config.Streamer);
        ShutdownAndVerify(config.Node);
    }

    private void ShutDownWhileStreaming()
    {
        var logs = LogLines.Install(Sys, typeof(Akka.Event.Info), typeof(Akka.Event.Warning));
        var verifierPath = Node(config.Node) / "user" / "per-sender-verifier";
        var verifier = Sys.ActorSelection(verifierPath).ResolveOne(TimeSpan.FromSeconds(30)).Result;
        var sender = TestActor;
        int sent = 0;
        using var stop = new CancellationTokenSource();
        var streaming = Task.Run(() =>
        {
            for (; !stop.IsCancellationRequested; sent++)
                verifier.Tell(sent, sender);
        });
        Thread.Sleep(500);
        // The producer stops as the shutdown begins, with frames still queued and in flight: a thread flooding Tell
        // into a terminating system only starves the shutdown of CPU (Akka's remoting shutdown has a 10 s limit).
        CoordinatedShutdown.Get(Sys).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "stop-streaming", () =>
        {
            stop.Cancel();
            return Task.FromResult(Done.Instance);
        });

        Assert.True(CoordinatedShutdown.Get(Sys).Run(CoordinatedShutdown.ClrExitReason.Instance).Wait(Step));
        stop.Cancel();
        streaming.Wait(); // Tell after termination goes to dead letters, never throws
        Assert.True(Sys.WhenTerminated.Wait(Step)); // remoting logs its end during termination

        string report = AskReport(verifierPath);
        Output!.WriteLine($"{sent} told; node: {report}");
        var match = Regex.Match(report, @"^senders=(\d+) received=(\d+) gaps=(\d+)$");
        Assert.True(match.Success, report);
        Assert.Equal("1", match.Groups[1].Value);
        Assert.Equal("0", match.Groups[3].Value);
        int received = int.Parse(match.Groups[2].Value);
        Assert.InRange(received, 1000, sent); // frames were flowing when the shutdown began

        var lines = logs.Lines;
        // The transport's own word on its flush (IpcTransport.Shutdown returned false). Akka's "flushing might not
        // have been successful" is not used: it also appears when an endpoint writer's graceful stop is slow.
        Assert.DoesNotContain(lines, l => l.Contains("shut down with frames still queued", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("INFO Remoting shut down", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("INFO Remote daemon shut down; proceeding with flushing remote transports.", StringComparison.Ordinal));
    }

    /// <summary>What the node's verifier got, asked by a fresh endpoint (this role's system is terminated).</summary>
    private string AskReport(ActorPath verifier)
    {
        var reporter = ActorSystem.Create("Reporter", Sys.Settings.Config);
        var errors = ErrorLogCollector.Install(reporter);
        try
        {
            return reporter.ActorSelection(verifier).Ask<string>(new PerSenderVerifier.Report(), Step).Result;
        }
        finally
        {
            Assert.True(reporter.Terminate().Wait(ShutdownLimit), "the reporting system did not terminate");
            errors.AssertNoUnexpectedErrors();
        }
    }
}

[Collection(MultiProcessCollection.Name)]
public sealed class ShmCoordinatedShutdownUnderLoadSpec(ITestOutputHelper output)
    : CoordinatedShutdownUnderLoadSpec(new CoordinatedShutdownUnderLoadConfig("shm"), output);

[Collection(MultiProcessCollection.Name)]
public sealed class FifoCoordinatedShutdownUnderLoadSpec(ITestOutputHelper output)
    : CoordinatedShutdownUnderLoadSpec(new CoordinatedShutdownUnderLoadConfig("fifo"), output);
