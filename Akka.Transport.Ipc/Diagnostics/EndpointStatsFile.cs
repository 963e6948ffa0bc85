using System.Text.Json;
using Akka.Actor;
using Akka.Transport.Ipc.Channels;

namespace Akka.Transport.Ipc.Diagnostics;

/// <summary>
/// Publishes an endpoint's statistics for the <c>akka-ipc</c> tool: every <see cref="Interval"/> a JSON document
/// (<see cref="StatsDocument"/>) is written to <c>&lt;port&gt;.stats-new</c> (0600) and renamed over
/// <c>&lt;port&gt;.stats</c>, so a reader always sees one whole document and can never disturb the endpoint: it only
/// reads a file. The counts come from the associations' own counters (<see cref="AssociationCounters"/>); the
/// hot paths do not know this file exists. A write that fails (a full file system) stops the publishing with one
/// warning; the transport carries on.
/// </summary>
internal sealed class EndpointStatsFile : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private const int RecentEnds = 16;

    private readonly string _path;
    private readonly string _newPath;
    private readonly StatsDocument _document;
    private readonly Func<Action, bool> _whileNamesOwned;
    private readonly Action<string> _onWarning;
    private readonly List<Tracked> _live = new();
    private readonly Queue<EndedAssociation> _ended = new();
    private readonly Dictionary<string, long> _endCounts = new();
    private readonly Timer _timer;
    private bool _stopped; // guarded by _live

    /// <param name="path">The endpoint's <c>&lt;port&gt;.stats</c>.</param>
    /// <param name="newPath">Where each document is written before it replaces <paramref name="path"/>.</param>
    /// <param name="header">The endpoint's identity; its association fields are filled at each publish.</param>
    /// <param name="whileNamesOwned">Runs a write unless the endpoint's names are released (see Rendezvous).</param>
    /// <param name="onWarning">Told once if publishing stops.</param>
    public EndpointStatsFile(string path, string newPath, StatsDocument header, Func<Action, bool> whileNamesOwned, Action<string> onWarning)
    {
        _path = path;
        _newPath = newPath;
        _document = header;
        _whileNamesOwned = whileNamesOwned;
        _onWarning = onWarning;
        _timer = new Timer(_ => Publish(), null, TimeSpan.Zero, Interval);
    }

    /// <summary>Shows an association from now until its channel completes (then among the recent ends).</summary>
    public void Track(IChannel channel, AssociationCounters counters, Address peer, bool inbound)
    {
        var tracked = new Tracked(channel, counters, peer.ToString(), inbound ? "inbound" : "outbound", DateTimeOffset.UtcNow);
        lock (_live)
            _live.Add(tracked);
        channel.Completion.ContinueWith(_ =>
        {
            lock (_live)
            {
                _live.Remove(tracked);
                string end = (channel.End ?? ChannelEnd.Failed).Tag();
                _endCounts[end] = _endCounts.GetValueOrDefault(end) + 1;
                _ended.Enqueue(new EndedAssociation(tracked.Peer, channel.Kind, end, DateTimeOffset.UtcNow));
                while (_ended.Count > RecentEnds)
                    _ended.Dequeue();
            }
        }, TaskScheduler.Default);
    }

    /// <summary>Writes the current document now (the timer does it every <see cref="Interval"/>).</summary>
    /// <remarks>
    /// Never throws: it runs on a timer, where an exception would end the process. Whatever goes wrong (a channel
    /// whose figures cannot be read, e.g. a ring a hostile peer scribbled on, which its reader ends by itself; a full
    /// or vanished directory) stops publishing with one warning.
    /// </remarks>
    public void Publish()
    {
        try
        {
            PublishOnce();
        }
        catch (Exception e)
        {
            StopPublishing(e);
        }
    }

    private void PublishOnce()
    {
        byte[] json;
        lock (_live)
        {
            if (_stopped)
                return;
            _document.UpdatedAt = DateTimeOffset.UtcNow;
            _document.Associations = _live.Select(t => t.Snapshot()).ToList();
            _document.Ended = new Dictionary<string, long>(_endCounts);
            _document.RecentEnds = _ended.ToList();
            json = JsonSerializer.SerializeToUtf8Bytes(_document, StatsDocument.JsonOptions);
        }
        _whileNamesOwned(() =>
        {
            using (var file = new FileStream(_newPath, new FileStreamOptions
                   {
                       Mode = FileMode.Create, Access = FileAccess.Write,
                       UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                   }))
                file.Write(json);
            File.Move(_newPath, _path, overwrite: true);
        });
    }

    private void StopPublishing(Exception e)
    {
        lock (_live)
        {
            if (_stopped)
                return;
            _stopped = true;
        }
        try
        {
            _whileNamesOwned(() => Interop.Posix.Unlink(_newPath));
        }
        catch (Exception unlinkError) when (unlinkError is IOException or UnauthorizedAccessException)
        {
            // The half-written file goes with the endpoint's other names.
        }
        _onWarning($"Stopped publishing IPC endpoint statistics to '{_path}' (the akka-ipc tool will not see them): {e.Message}");
    }

    /// <summary>Stops publishing; the files go with the endpoint's other names.</summary>
    public void Dispose()
    {
        lock (_live)
            _stopped = true;
        _timer.Dispose();
    }

    private sealed record Tracked(IChannel Channel, AssociationCounters Counters, string Peer, string Direction, DateTimeOffset OpenedAt)
    {
        public AssociationStats Snapshot() => new()
        {
            Peer = Peer,
            Channel = Channel.Kind,
            Direction = Direction,
            OpenedAt = OpenedAt,
            FramesSent = Counters.FramesSent,
            BytesSent = Counters.BytesSent,
            FramesReceived = Volatile.Read(ref Counters.FramesReceived),
            BytesReceived = Volatile.Read(ref Counters.BytesReceived),
            WritesBackPressured = Volatile.Read(ref Counters.WritesBackPressured),
            QueuedBytes = Channel.QueuedBytes,
            RingUsedBytes = Channel.RingUsedBytes,
            DoorbellPosts = Channel.DoorbellPosts,
        };
    }
}
