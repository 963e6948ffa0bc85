using System.Diagnostics.Metrics;
using Akka.Transport.Ipc.Channels;

namespace Akka.Transport.Ipc.Diagnostics;

/// <summary>
/// The library's one <see cref="Meter"/>, <c>Akka.Transport.Ipc</c> (<c>dotnet-counters monitor --counters
/// Akka.Transport.Ipc</c>, OpenTelemetry <c>AddMeter("Akka.Transport.Ipc")</c>). Every instrument is tagged with
/// <c>akka.system</c> and <c>ipc.channel</c> (shm or fifo); network associations of a hybrid node are dot-netty's
/// and are not counted here. Frame, byte and back-pressure counts are read from the associations' own counters
/// when a listener collects (observable instruments), so the hot paths pay for plain increments only (sent frames inside the channel's write lock), with or
/// without a listener. An association's counts stay in the totals after it ends.
/// </summary>
internal static class IpcMeter
{
    public const string Name = "Akka.Transport.Ipc";

    private static readonly Meter Meter = new(Name, typeof(IpcMeter).Assembly.GetName().Version?.ToString());
    private static readonly object Sync = new();
    private static readonly Dictionary<(string System, string Channel), Group> Groups = new();

    private static readonly Counter<long> Opened = Meter.CreateCounter<long>("akka.ipc.associations.opened", "{association}",
        "Associations opened, by ipc.direction (inbound or outbound).");
    private static readonly Counter<long> Ended = Meter.CreateCounter<long>("akka.ipc.associations.ended", "{association}",
        "Associations ended, by ipc.end: closed-here, closed-by-peer, peer-exited, refused, corrupt, shut-down, failed.");
    private static readonly Counter<long> ConnectsFailed = Meter.CreateCounter<long>("akka.ipc.connects.failed", "{connect}",
        "Associate calls that failed before an association existed, by ipc.reason: not-found, mismatch, refused, timeout, held-off (a co-located peer at that address died less than 1 s ago).");
    private static readonly Counter<long> Fallbacks = Meter.CreateCounter<long>("akka.ipc.fallbacks", "{association}",
        "Associations that run over FIFOs because their shared-memory segment could not be created (mode = auto).");

    static IpcMeter()
    {
        Meter.CreateObservableUpDownCounter("akka.ipc.associations.open", () => Observe(g => g.Live.Count), "{association}",
            "Associations open now.");
        Meter.CreateObservableCounter("akka.ipc.frames.sent", () => Observe(g => g.Sum(c => c.FramesSent)), "{frame}",
            "Frames accepted by Write.");
        Meter.CreateObservableCounter("akka.ipc.bytes.sent", () => Observe(g => g.Sum(c => c.BytesSent)), "By",
            "Payload bytes accepted by Write.");
        Meter.CreateObservableCounter("akka.ipc.frames.received", () => Observe(g => g.Sum(c => c.FramesReceived)), "{frame}",
            "Frames delivered to Akka.");
        Meter.CreateObservableCounter("akka.ipc.bytes.received", () => Observe(g => g.Sum(c => c.BytesReceived)), "By",
            "Payload bytes delivered to Akka.");
        Meter.CreateObservableCounter("akka.ipc.writes.backpressured", () => Observe(g => g.Sum(c => c.WritesBackPressured)), "{write}",
            "Writes refused because the association's queue was at send-queue-limit (Akka retries them).");
        Meter.CreateObservableGauge("akka.ipc.queued.bytes", () => Observe(g => g.Live.Sum(a => a.Channel.QueuedBytes)), "By",
            "Bytes accepted by Write and queued in memory behind a full ring or pipe.");
        Meter.CreateObservableGauge("akka.ipc.ring.used", () => Observe(g => g.Live.Sum(a => a.Channel.RingUsedBytes)), "By",
            "Bytes written into peers' rings and not consumed yet (ring fill; shm only).");
        Meter.CreateObservableCounter("akka.ipc.doorbell.posts", () => Observe(g => g.Retired.DoorbellPosts + g.Live.Sum(a => a.Channel.DoorbellPosts)), "{post}",
            "Doorbell semaphore posts to wake a sleeping peer (shm only): a syscall each, made only when the peer's receiver sleeps.");
        Meter.CreateObservableCounter("akka.ipc.receiver.sleeps", () => Observe(g => g.ReceiverSleeps()), "{sleep}",
            "Times a shared-memory receiver thread blocked on its doorbell after spinning and yielding found nothing to do.");
        Meter.CreateObservableCounter("akka.ipc.receiver.cpu.time", () => ObserveProfiles(p => p.CpuNanoseconds, ns => ns / 1e9), "s",
            "receiver-profile = on only: CPU time of the shared-memory receiver thread, by ipc.phase (deliver, gc, spin, yield, sleep).");
        Meter.CreateObservableCounter("akka.ipc.receiver.handoff.cpu.time", () => ObserveHandOffs(), "s",
            "receiver-profile = on only: the part of the deliver phase's CPU spent handing frames to Akka (the ByteString copy and Akka's Notify), estimated from one frame in 64.");
        Meter.CreateObservableCounter("akka.ipc.receiver.rounds", () => ObserveProfiles(p => p.Rounds, n => n), "{round}",
            "receiver-profile = on only: rounds of the shared-memory receiver thread, by ipc.phase (deliver, gc, spin, yield, sleep).");
    }

    /// <summary>An association opened: counted from now until its channel completes.</summary>
    public static AssociationCounters Track(string system, IChannel channel, bool inbound)
    {
        var counters = new AssociationCounters(channel.Sent);
        var live = new LiveAssociation(channel, counters);
        var key = (system, channel.Kind);
        lock (Sync)
        {
            if (!Groups.TryGetValue(key, out var group))
                Groups[key] = group = new Group();
            group.Live.Add(live);
        }
        Opened.Add(1, SystemTag(key), ChannelTag(key), new KeyValuePair<string, object?>("ipc.direction", inbound ? "inbound" : "outbound"));
        channel.Completion.ContinueWith(_ =>
        {
            counters.DoorbellPosts = channel.DoorbellPosts;
            lock (Sync)
            {
                var group = Groups[key];
                group.Live.Remove(live);
                group.Retired.Add(counters);
            }
            Ended.Add(1, SystemTag(key), ChannelTag(key), new KeyValuePair<string, object?>("ipc.end", (channel.End ?? ChannelEnd.Failed).Tag()));
        }, TaskScheduler.Default);
        return counters;
    }

    /// <summary>
    /// An endpoint of <paramref name="system"/> with a shared-memory receiver started: its sleeps (and, with
    /// <c>receiver-profile = on</c>, its <paramref name="profile"/>) are counted under <c>ipc.channel = shm</c> until
    /// the returned handle is disposed, and stay in the totals after.
    /// </summary>
    public static IDisposable TrackReceiver(string system, Func<long> sleeps, ReceiverProfile? profile = null)
    {
        var key = (system, "shm");
        lock (Sync)
        {
            if (!Groups.TryGetValue(key, out var group))
                Groups[key] = group = new Group();
            group.Receivers.Add(sleeps);
            if (profile != null)
                group.Profiles.Add(profile);
        }
        return new ReceiverRegistration(key, sleeps, profile);
    }

    /// <summary>An Associate failed before any association existed; <paramref name="reason"/> is a tag value.</summary>
    public static void ConnectFailed(string system, string reason) =>
        ConnectsFailed.Add(1, new KeyValuePair<string, object?>("akka.system", system), new KeyValuePair<string, object?>("ipc.reason", reason));

    /// <summary>An association of <paramref name="system"/> runs over FIFOs because its segment did not fit.</summary>
    public static void FellBackToFifo(string system) =>
        Fallbacks.Add(1, new KeyValuePair<string, object?>("akka.system", system), new KeyValuePair<string, object?>("ipc.channel", "fifo"));

    private static IEnumerable<Measurement<long>> Observe(Func<Group, long> value)
    {
        List<Measurement<long>> measurements;
        lock (Sync)
        {
            measurements = new List<Measurement<long>>(Groups.Count);
            foreach (var (key, group) in Groups)
                measurements.Add(new Measurement<long>(value(group), Tags(key)));
        }
        return measurements;
    }

    /// <summary>One measurement per system and phase that has profiled receivers (live or ended); none otherwise.</summary>
    private static IEnumerable<Measurement<T>> ObserveProfiles<T>(Func<ReceiverProfile, Func<ReceiverPhase, long>> read, Func<long, T> unit)
        where T : struct
    {
        var measurements = new List<Measurement<T>>();
        lock (Sync)
        {
            foreach (var (key, group) in Groups)
            {
                if (group.Profiles.Count == 0 && !group.HadProfiles)
                    continue;
                foreach (var phase in ReceiverProfile.Phases)
                {
                    long total = read(group.RetiredProfiles)(phase) + group.Profiles.Sum(p => read(p)(phase));
                    measurements.Add(new Measurement<T>(unit(total),
                        [SystemTag(key), ChannelTag(key), new("ipc.phase", phase.ToString().ToLowerInvariant())]));
                }
            }
        }
        return measurements;
    }

    private static IEnumerable<Measurement<double>> ObserveHandOffs()
    {
        var measurements = new List<Measurement<double>>();
        lock (Sync)
        {
            foreach (var (key, group) in Groups)
            {
                if (group.Profiles.Count > 0 || group.HadProfiles)
                {
                    long total = group.RetiredProfiles.HandOffCpuNanoseconds + group.Profiles.Sum(p => p.HandOffCpuNanoseconds);
                    measurements.Add(new Measurement<double>(total / 1e9, Tags(key)));
                }
            }
        }
        return measurements;
    }

    private static KeyValuePair<string, object?>[] Tags((string System, string Channel) key) => [SystemTag(key), ChannelTag(key)];

    private static KeyValuePair<string, object?> SystemTag((string System, string Channel) key) => new("akka.system", key.System);

    private static KeyValuePair<string, object?> ChannelTag((string System, string Channel) key) => new("ipc.channel", key.Channel);

    private sealed record LiveAssociation(IChannel Channel, AssociationCounters Counters);

    private sealed class ReceiverRegistration((string, string) key, Func<long> sleeps, ReceiverProfile? profile) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
                return;
            lock (Sync)
            {
                var group = Groups[key];
                if (group.Receivers.Remove(sleeps))
                    group.RetiredSleeps += sleeps();
                if (profile != null && group.Profiles.Remove(profile))
                {
                    group.RetiredProfiles.Add(profile); // the receiver has stopped: its totals are final
                    group.HadProfiles = true;
                }
            }
        }
    }

    /// <summary>The associations of one system over one kind of channel: those open, and the totals of those ended.</summary>
    private sealed class Group
    {
        public readonly HashSet<LiveAssociation> Live = new(ReferenceEqualityComparer.Instance);
        public readonly AssociationCounters Retired = new();
        public readonly List<Func<long>> Receivers = new();
        public long RetiredSleeps;
        public readonly List<ReceiverProfile> Profiles = new();
        public readonly ReceiverProfile RetiredProfiles = new(); // totals of the profiled receivers that stopped
        public bool HadProfiles;

        public long ReceiverSleeps() => RetiredSleeps + Receivers.Sum(r => r());

        // Aligned 64-bit fields: a read is never torn, and a count read a moment late is still a count.
        public long Sum(Func<AssociationCounters, long> count) => count(Retired) + Live.Sum(a => count(a.Counters));
    }
}
