using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Akka.Transport.Ipc.Tests.TestActors;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

public sealed class TwoProcessStreamingConfig : MultiNodeConfig
{
    public TwoProcessStreamingConfig(string mode, string shmDirectory = "")
    {
        Sender = Role("sender");
        Receiver = Role("receiver");
        // The ring (256 KiB) is smaller than the largest frames (maximum-frame-size 2 MiB): they cross it in pieces.
        CommonConfig = (mode == "tcp" ? TcpBaseline : ConfigurationFactory.ParseString($"""
            akka.loglevel = INFO
            akka.remote.ipc.mode = {mode}
            akka.remote.ipc.shm-directory = "{shmDirectory}"
            akka.remote.ipc.ring-size = 256KiB
            akka.remote.ipc.maximum-frame-size = 2MiB
            """)).WithFallback(RecordedLog.Config);
    }

    public RoleName Sender { get; }

    public RoleName Receiver { get; }

    /// <summary>The same stream over dot-netty.tcp on loopback (the harness's "tcp" shape).</summary>
    private static Config TcpBaseline => ConfigurationFactory.ParseString("""
        akka.loglevel = INFO
        akka.remote.enabled-transports = ["akka.remote.dot-netty.tcp"]
        akka.remote.dot-netty.tcp {
          hostname = "127.0.0.1"
          port = 0
          maximum-frame-size = 2MiB
          send-buffer-size = 4MiB
          receive-buffer-size = 4MiB
        }
        """);
}

/// <summary>
/// 100 000 byte[] messages of mixed sizes (8 B .. 1 MiB, at most 5 000 unacknowledged) to the receiver's verifier:
/// every ack is consistent (above the last, not above what was sent), no verifier error, the last ack covers all of
/// them (each checked in order and byte by byte); the run ends with no unexpected ERROR and the directory empty.
/// (Ported from the NodeHost harness's TwoProcessStreamingTests.)
/// </summary>
public abstract class TwoProcessStreamingSpec(TwoProcessStreamingConfig config, ITestOutputHelper output) : HarnessCheckedSpec(config, output)
{
    private const int Total = 100_000;

    // Bounds the bytes in flight (and so memory) while keeping the pipe full.
    private const int Window = 5_000;

    private static readonly TimeSpan AckTimeout = TimeSpan.FromMinutes(2);

    [MultiNodeFact(Timeout = 300_000)]
    public void Hundred_thousand_mixed_size_messages_arrive_in_order_and_intact()
    {
        RunOn(() =>
        {
            CheckReceiver();
            Sys.ActorOf(Props.Create<Verifier>(), "verifier");
        }, config.Receiver);
        EnterBarrier("verifier-started");

        RunOn(Stream, config.Sender);
        ShutdownAndVerify(config.Receiver);
    }

    /// <summary>A variant's extra checks on the receiver, run there before the stream.</summary>
    protected virtual void CheckReceiver()
    {
    }

    private void Stream()
    {
        var verifier = Sys.ActorSelection(Node(config.Receiver) / "user" / "verifier");
        int sent = 0, acknowledged = 0;
        long bytesSent = 0;
        var stopwatch = Stopwatch.StartNew();
        while (acknowledged < Total)
        {
            while (sent < Total && sent - acknowledged < Window)
            {
                var payload = StreamPayload.Create(sent);
                bytesSent += payload.Length;
                verifier.Tell(payload, TestActor);
                sent++;
            }

            switch (ExpectMsg<object>(AckTimeout, $"an ack after {acknowledged} acknowledged of {sent} sent"))
            {
                case string error:
                    Assert.Fail(error);
                    break;
                case int count:
                    Assert.True(count > acknowledged && count <= sent,
                        $"ack {count} is inconsistent: {acknowledged} acknowledged before, {sent} sent");
                    acknowledged = count;
                    break;
                case var reply:
                    Assert.Fail($"unexpected reply {reply.GetType()}: {reply}");
                    break;
            }
        }
        stopwatch.Stop();

        // The verifier checks each message before acking it, so the last ack covers all of them.
        Assert.Equal(Total, acknowledged);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        Output!.WriteLine($"{Total} messages, {bytesSent / 1e6:F1} MB in {seconds:F2} s: "
            + $"{Total / seconds:F0} messages/s, {bytesSent / 1e6 / seconds:F1} MB/s");
    }
}

[Collection(MultiProcessCollection.Name)]
public sealed class ShmTwoProcessStreamingSpec(ITestOutputHelper output) : TwoProcessStreamingSpec(new TwoProcessStreamingConfig("shm"), output);

/// <summary>The same stream over dot-netty.tcp on loopback, as the baseline for the IPC figures.</summary>
[Collection(MultiProcessCollection.Name)]
public sealed class TcpBaselineTwoProcessStreamingSpec(ITestOutputHelper output) : TwoProcessStreamingSpec(new TwoProcessStreamingConfig("tcp"), output);

[Collection(MultiProcessCollection.Name)]
public sealed class FifoTwoProcessStreamingSpec(ITestOutputHelper output) : TwoProcessStreamingSpec(new TwoProcessStreamingConfig("fifo"), output);

/// <summary>
/// mode = auto on a host where shared memory is unusable (shm-directory cannot be created): both sides fall back
/// to FIFOs, the receiver says so exactly once, as a WARNING naming the directory, and the stream still passes.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class FallbackTwoProcessStreamingSpec(ITestOutputHelper output)
    : TwoProcessStreamingSpec(new TwoProcessStreamingConfig("auto", UnusableShmDirectory), output)
{
    /// <summary>Nobody can create a directory in /proc, not even root.</summary>
    public const string UnusableShmDirectory = "/proc/akka-ipc-unusable";

    protected override void CheckReceiver()
    {
        // Akka's logger writes asynchronously: the lines may come after the system started, so wait for them.
        AwaitCondition(() => RecordedLog.Lines.Any(l => l.Contains("Shared memory is unusable", StringComparison.Ordinal))
            && RecordedLog.Lines.Any(l => l.Contains("FIFOs only", StringComparison.Ordinal)), TimeSpan.FromSeconds(30));
        var warnings = RecordedLog.Lines.Where(l => l.Contains("Shared memory is unusable", StringComparison.Ordinal)).ToList();
        Assert.Single(warnings);
        Assert.Contains("WARNING", warnings[0]);
        Assert.Contains(UnusableShmDirectory, warnings[0]);
    }
}
