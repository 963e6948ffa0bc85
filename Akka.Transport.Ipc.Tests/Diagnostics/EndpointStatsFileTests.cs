using Akka.Actor;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Diagnostics;
using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Tests.Diagnostics;

/// <summary>
/// Publishing statistics runs on a timer; an exception there would be unhandled and end the process. The chaos soak
/// found one: a scribbled ring made <c>RingUsedBytes</c> throw <see cref="RingCorruptedException"/> from the
/// publishing timer and killed a node. Whatever a tracked channel throws, publishing stops with one warning and the
/// process lives.
/// </summary>
public sealed class EndpointStatsFileTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("akka-ipc-stats-");

    [Fact]
    public void A_channel_whose_figures_throw_stops_publishing_with_a_warning_instead_of_throwing()
    {
        var warnings = new List<string>();
        using var stats = new EndpointStatsFile(Path.Combine(_directory.FullName, "1.stats"), Path.Combine(_directory.FullName, "1.stats-new"),
            new StatsDocument(), write => { write(); return true; }, warnings.Add);
        stats.Track(new CorruptChannel(), new AssociationCounters(), Address.Parse("akka.ipc://Peer@localhost:2"), inbound: false);

        var thrown = Record.Exception(stats.Publish);

        Assert.Null(thrown);
        var warning = Assert.Single(warnings);
        Assert.Contains("Stopped publishing IPC endpoint statistics", warning);
        Assert.Contains("Shared-memory ring is corrupt", warning);
    }

    public void Dispose() => _directory.Delete(recursive: true);

    private sealed class CorruptChannel : IChannel
    {
        public string Kind => "shm";
        public ChannelEnd? End => null;
        public long QueuedBytes => 0;
        public long RingUsedBytes => throw new RingCorruptedException("consumer position 4788983490021037804 is impossible");
        public long DoorbellPosts => 0;
        public SentFrames Sent { get; } = new();
        public Task Accepted => Task.CompletedTask;
        public Task<bool> Completion { get; } = new TaskCompletionSource<bool>().Task;
        public bool TryWrite(ReadOnlyMemory<byte> frame) => true;
        public void SetListener(IChannelListener listener) { }
        public void RequestClose() { }
    }
}
