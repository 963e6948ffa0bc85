using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Configuration;
using Akka.Remote.Transport;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Akka.Transport.Ipc.Tests.TestActors;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

public sealed class AkkaIpcWatchConfig : MultiNodeConfig
{
    public AkkaIpcWatchConfig(string mode)
    {
        Mode = mode;
        Writer = Role("writer");
        Sink = Role("sink");
        CommonConfig = ModeConfig.For(mode);
    }

    public string Mode { get; }

    /// <summary>Streams through its own bare transport and runs the tool (the harness's test process).</summary>
    public RoleName Writer { get; }

    /// <summary>Runs the raw sink the writer streams to.</summary>
    public RoleName Sink { get; }
}

/// <summary>
/// <c>akka-ipc watch --count 4</c>, run as a process with its output in a pipe (as in a script or a log), against a
/// live two-process system streaming about 1 000 frames/s: exactly 4 tables, within 3–30 s; every refresh shows the
/// writer's association (peer, channel, outbound) and the sink's inbound side; no rate in the first refresh, a rate from
/// the third on, and the upper median of those rates within a factor 3 of the stream's true rate; it exits 0. Clean
/// shutdown, no unexpected ERROR, empty directory. (Ported from the NodeHost harness's AkkaIpcWatchTests.)
/// </summary>
public abstract partial class AkkaIpcWatchSpec(AkkaIpcWatchConfig config, ITestOutputHelper output) : HarnessCheckedSpec(config, output)
{
    private const int Refreshes = 4;
    private const int FramesPerTick = 20;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(60);

    [MultiNodeFact]
    public void Watch_shows_peer_channel_and_a_frame_rate_matching_the_stream_and_exits_0_after_count_refreshes()
    {
        RunOn(() => RawSink.StartAsync(Sys).Wait(), config.Sink);
        EnterBarrier("sink-started");
        RunOn(() =>
        {
            var writer = new IpcTransport(Sys, ConfigurationFactory.ParseString($"directory = \"{IpcDirectory}\"\nmode = {config.Mode}\nring-size = 1MiB"));
            var (writerAddress, promise) = writer.Listen().Result;
            promise.SetResult(new ActorAssociationEventListener(TestActor));
            try
            {
                WatchTheStream(writer, writerAddress.Port!.Value);
            }
            finally
            {
                writer.Shutdown().WaitAsync(Step).Wait();
            }
        }, config.Writer);
        ShutdownAndVerify(config.Writer);
    }

    private void WatchTheStream(IpcTransport writer, int writerPort)
    {
        int nodePort = EndpointLocks.OtherPortOfSameProcess(IpcDirectory, GetAddress(config.Sink).Port!.Value);
        var handle = writer.Associate(new Address("akka.ipc", Sys.Name, "localhost", nodePort)).WaitAsync(Step).Result;
        handle.ReadHandlerSource.SetResult(new RecordingHandleListener());

        // A steady stream for the whole watch, its true rate measured here: about 1 000 frames/s, as paced.
        using var stop = new CancellationTokenSource();
        var stream = Task.Run(async () =>
        {
            var clock = Stopwatch.StartNew();
            int sent = 0;
            while (!stop.IsCancellationRequested)
            {
                for (int i = 0; i < FramesPerTick; i++, sent++)
                    Assert.True(handle.Write(ByteString.CopyFrom(RawSink.Frame(sent))));
                await Task.Delay(Tick);
            }
            return sent / clock.Elapsed.TotalSeconds;
        });
        Thread.Sleep(TimeSpan.FromSeconds(1.5)); // the endpoints have published statistics of the stream
        var watching = Stopwatch.StartNew();
        string watch = AkkaIpcTool.Run("watch", "--count", Refreshes.ToString(CultureInfo.InvariantCulture), "--directory", IpcDirectory);
        watching.Stop();
        stop.Cancel();
        double rate = stream.Result;
        Output!.WriteLine($"stream: {rate:F0} frames/s; watch took {watching.Elapsed.TotalSeconds:F1} s:\n{watch}");

        var tables = Regex.Split(watch, @"^.*IPC endpoints in .*$", RegexOptions.Multiline).Skip(1).ToList();
        Assert.Equal(Refreshes, tables.Count);
        Assert.InRange(watching.Elapsed.TotalSeconds, Refreshes - 1, 30); // one refresh a second, then it exits
        string peer = $"akka.ipc://{Sys.Name}@localhost:{nodePort}";
        var rates = new List<double>();
        foreach (var (table, index) in tables.Select((t, i) => (t, i)))
        {
            var row = Rows(table).SingleOrDefault(r => r.Length > 9 && r[0] == writerPort.ToString(CultureInfo.InvariantCulture));
            Assert.True(row != null, $"refresh {index + 1} has no row of the writer's endpoint {writerPort}:\n{table}");
            Assert.Equal(peer, row[6]);
            Assert.Equal(config.Mode, row[7]);
            Assert.Equal("outbound", row[8]);
            var frames = FramesCell().Match(row[9]);
            Assert.True(frames.Success, $"refresh {index + 1}: frames cell '{row[9]}'");
            // Rates need two statistics documents: none in the first refresh; the second may still see the
            // document the first saw (the endpoint publishes once a second); from the third on, always.
            if (index == 0)
                Assert.False(frames.Groups["rate"].Success, "the first refresh has nothing to compute a rate from");
            else if (index >= 2)
                Assert.True(frames.Groups["rate"].Success, $"refresh {index + 1} shows no rate: '{row[9]}'");
            // A second refresh's rate may span the stream's first moments (CI saw 60/s against a 666/s stream):
            // the rates judged are those of the third refresh on, when the stream has run for seconds.
            if (index >= 2 && frames.Groups["rate"].Success)
                rates.Add(double.Parse(frames.Groups["rate"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture));
            // The sink's inbound side of the same association is listed too.
            Assert.Contains(Rows(table), r => r.Length > 9 && r[6] == $"akka.ipc://{Sys.Name}@localhost:{writerPort}" && r[8] == "inbound");
        }
        // Those rates are the stream's, within a generous bound (a shared machine; a second of statistics). The upper
        // median is judged (of refreshes 3 and 4: the larger): one window can be short when a loaded machine delays
        // the statistics timer (CI saw one window of 93/s against a 788/s stream), and its neighbour then makes up for it.
        Assert.NotEmpty(rates);
        rates.Sort();
        double median = rates[rates.Count / 2];
        Assert.InRange(median, rate / 3, rate * 3);
    }

    /// <summary>The body rows of one table: cells between the vertical bars, trimmed.</summary>
    private static List<string[]> Rows(string table) => table.Split('\n')
        .Where(l => l.TrimStart().StartsWith('│'))
        .Select(l => l.Trim().Trim('│').Split('│').Select(c => c.Trim()).ToArray())
        .ToList();

    /// <summary>"sent/received" with, from the second refresh on, " (sent rate/received rate/s)".</summary>
    [GeneratedRegex(@"^[\d,]+/[\d,]+(?: \((?<rate>[\d,]+)/[\d,]+/s\))?$")]
    private static partial Regex FramesCell();
}

[Collection(MultiProcessCollection.Name)]
public sealed class ShmAkkaIpcWatchSpec(ITestOutputHelper output) : AkkaIpcWatchSpec(new AkkaIpcWatchConfig("shm"), output);

[Collection(MultiProcessCollection.Name)]
public sealed class FifoAkkaIpcWatchSpec(ITestOutputHelper output) : AkkaIpcWatchSpec(new AkkaIpcWatchConfig("fifo"), output);
