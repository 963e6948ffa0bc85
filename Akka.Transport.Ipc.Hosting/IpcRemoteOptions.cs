using System.Globalization;
using System.Runtime.Versioning;
using System.Text;
using Akka.Configuration;
using Akka.Transport.Ipc.Configuration;

namespace Akka.Transport.Ipc.Hosting;

/// <summary>
/// The keys of <c>akka.remote.ipc</c> for <see cref="AkkaIpcHostingExtensions.WithIpcRemoting(Akka.Hosting.AkkaConfigurationBuilder, IpcRemoteOptions)"/>.
/// Every property is optional: null leaves the key at its value in the transport's reference configuration
/// (<c>ipc.conf</c>, embedded in Akka.Transport.Ipc; the default is named in each property's documentation) or in
/// HOCON the application adds itself; a set property overrides both.
/// </summary>
/// <remarks>
/// Bindable from <c>Microsoft.Extensions.Configuration</c>, e.g. an <c>appsettings.json</c> section
/// <c>"Ipc": { "Port": 4053, "Mode": "Shm", "RingSize": 1048576, "ConnectionTimeout": "00:00:10" }</c> read with
/// <c>configuration.GetSection("Ipc").Get&lt;IpcRemoteOptions&gt;()</c>. Sizes are bytes; durations are
/// <see cref="TimeSpan"/>s (<c>"hh:mm:ss"</c> in JSON). Values are validated as the transport validates its HOCON:
/// an invalid one fails <c>WithIpcRemoting</c>, and so the host's start, with a <see cref="ConfigurationException"/>
/// naming the key and the value.
/// </remarks>
public sealed class IpcRemoteOptions
{
    private const string SectionPath = AkkaIpcHostingExtensions.TransportSectionPath;

    /// <summary>
    /// <c>hostname</c>: host part of this node's address, <c>akka.ipc://System@hostname:port</c>; a label that
    /// peers must use in their addresses, since IPC never leaves the machine. <b>Default:</b> <c>"localhost"</c>.
    /// </summary>
    public string? Hostname { get; set; }

    /// <summary>
    /// <c>port</c>: endpoint number, 1-65535, unique per <see cref="Directory"/>; 0 picks a free one (the real one is
    /// in the address). <b>Default:</b> <c>0</c>.
    /// </summary>
    public int? Port { get; set; }

    /// <summary>
    /// <c>directory</c>: where endpoint locks and FIFOs live; peers must share it. Created 0700 if missing; an
    /// existing one must have the sticky bit, or belong to this user and not be writable by others.
    /// <b>Default:</b> <c>""</c> = <c>/dev/shm/akka-ipc-&lt;uid&gt;</c> (<c>&lt;temp&gt;/akka-ipc-&lt;uid&gt;</c> without /dev/shm).
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>
    /// <c>mode</c>: <see cref="IpcMode.Shm"/> (shared-memory rings only), <see cref="IpcMode.Fifo"/> (named pipes
    /// only) or <see cref="IpcMode.Auto"/> (shared memory where both sides can use it, FIFOs otherwise).
    /// <b>Default:</b> <c>auto</c>.
    /// </summary>
    public IpcMode? Mode { get; set; }

    /// <summary>
    /// <c>shm-directory</c>: where association segments are created (a tmpfs to be fast).
    /// <b>Default:</b> <c>""</c> = the <see cref="Directory"/>.
    /// </summary>
    public string? ShmDirectory { get; set; }

    /// <summary>
    /// <c>ring-size</c>, in bytes: data area of each ring, per direction, per association; rounded up to a power of
    /// two (4 KiB - 1 GiB). Peers must agree. <b>Default:</b> <c>512KiB</c> (524288).
    /// </summary>
    public long? RingSize { get; set; }

    /// <summary>
    /// <c>maximum-frame-size</c>, in bytes: largest frame carried (at least 32000); may exceed <see cref="RingSize"/>.
    /// Peers must agree. <b>Default:</b> <c>128000b</c>.
    /// </summary>
    public long? MaximumFrameSize { get; set; }

    /// <summary>
    /// <c>send-queue-limit</c>, in bytes: frames queued per association while the peer's ring is full; past it
    /// writes report back-pressure. <b>Default:</b> <c>64MiB</c> (67108864).
    /// </summary>
    public long? SendQueueLimit { get; set; }

    /// <summary>
    /// <c>connection-timeout</c>: how long an association waits for the listening endpoint to accept.
    /// <b>Default:</b> <c>15s</c>.
    /// </summary>
    public TimeSpan? ConnectionTimeout { get; set; }

    /// <summary>
    /// <c>flush-timeout</c>: how long shutdown waits for queued frames to reach peers. <b>Default:</b> <c>5s</c>.
    /// </summary>
    public TimeSpan? FlushTimeout { get; set; }

    /// <summary>
    /// <c>network-transport</c>: the path of a network transport's section, e.g. <c>"akka.remote.dot-netty.tcp"</c>
    /// (configure that section as usual, e.g. with Akka.Remote.Hosting's <c>WithRemoting</c>). Set, the node's address
    /// is that transport's and only co-located peers (same <see cref="Directory"/>) go over IPC.
    /// <b>Default:</b> <c>""</c> = local only, <c>akka.ipc://</c> addresses.
    /// </summary>
    public string? NetworkTransport { get; set; }

    /// <summary>
    /// <c>certain-death</c>: whether a co-located peer whose endpoint lock is released (its process exited or was
    /// killed) counts as dead for certain, so remote DeathWatch delivers <c>Terminated</c> and Akka.Cluster marks it
    /// unreachable at once instead of after Akka's failure detectors; a frozen or slow process is never affected.
    /// <b>Default:</b> <c>on</c>.
    /// </summary>
    public bool? CertainDeath { get; set; }

    /// <summary>
    /// <c>down-dead-peers</c> (Akka.Cluster only): whether the surviving nodes down a co-located member whose process
    /// is gone for certain at once, instead of waiting for failure detection and the downing provider. A frozen, slow
    /// or partitioned process is never downed this way. On needs the Akka.Transport.Ipc.Cluster package and the cluster
    /// provider (<c>WithClustering</c>), else the start fails naming this key. <b>Default:</b> <c>off</c>.
    /// </summary>
    public bool? DownDeadPeers { get; set; }

    /// <summary>
    /// <c>receiver-poll-time</c>: how long the shared-memory receiver keeps polling after its last frame before it
    /// sleeps (0–1 s). Longer keeps request/response traffic with shorter gaps from paying a wake-up (the shm tail
    /// latency) at the cost of CPU while traffic is sparse. <b>Default:</b> <c>0s</c> (≈ 0 % CPU idle).
    /// </summary>
    public TimeSpan? ReceiverPollTime { get; set; }

    /// <summary>
    /// <c>receiver-profile</c>: the shared-memory receiver thread measures its own CPU by what its rounds did
    /// (deliver, gc, spin, yield, sleep), published as <c>akka.ipc.receiver.cpu.time</c> and
    /// <c>akka.ipc.receiver.rounds</c>. A diagnostic costing one clock read per round. <b>Default:</b> <c>off</c>.
    /// </summary>
    public bool? ReceiverProfile { get; set; }

    /// <summary>
    /// The set properties as HOCON lines of the <c>akka.remote.ipc</c> section (key = value), in declaration order;
    /// empty when nothing is set.
    /// </summary>
    /// <exception cref="ConfigurationException">An enum value that is not defined (naming the key).</exception>
    [SupportedOSPlatform("linux")]
    internal IReadOnlyList<(string Key, string Value)> Keys()
    {
        var keys = new List<(string, string)>();
        void Add(string key, string? value)
        {
            if (value != null)
                keys.Add((key, value));
        }

        Add("hostname", Quote(Hostname));
        Add("port", Port?.ToString(CultureInfo.InvariantCulture));
        Add("directory", Quote(Directory));
        Add("mode", Mode is { } mode ? ModeName(mode) : null);
        Add("shm-directory", Quote(ShmDirectory));
        Add("ring-size", Bytes(RingSize));
        Add("maximum-frame-size", Bytes(MaximumFrameSize));
        Add("send-queue-limit", Bytes(SendQueueLimit));
        Add("connection-timeout", Duration("connection-timeout", ConnectionTimeout));
        Add("flush-timeout", Duration("flush-timeout", FlushTimeout));
        Add("network-transport", Quote(NetworkTransport));
        Add("certain-death", OnOff(CertainDeath));
        Add("down-dead-peers", OnOff(DownDeadPeers));
        Add("receiver-poll-time", Duration("receiver-poll-time", ReceiverPollTime));
        Add("receiver-profile", OnOff(ReceiverProfile));
        return keys;
    }

    /// <summary>The set properties as a HOCON <c>akka.remote.ipc { … }</c> block, or "" when nothing is set.</summary>
    [SupportedOSPlatform("linux")]
    internal string ToHocon()
    {
        var keys = Keys();
        if (keys.Count == 0)
            return "";
        var sb = new StringBuilder().AppendLine($"{SectionPath} {{");
        foreach (var (key, value) in keys)
            sb.AppendLine($"  {key} = {value}");
        return sb.AppendLine("}").ToString();
    }

    [SupportedOSPlatform("linux")]
    private static string ModeName(IpcMode mode) => mode switch
    {
        IpcMode.Auto => "auto",
        IpcMode.Shm => "shm",
        IpcMode.Fifo => "fifo",
        // The transport's own wording for a bad mode.
        _ => throw new ConfigurationException($"{SectionPath}.mode = '{mode}' is not valid: valid values are auto, shm and fifo."),
    };

    /// <summary>Always quoted, so paths, empty strings and HOCON's special characters stay literal.</summary>
    private static string? Quote(string? value) => value == null ? null
        : "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n").Replace("\r", "\\r").Replace("\t", "\\t") + "\"";

    private static string? Bytes(long? value) => value is { } bytes ? bytes.ToString(CultureInfo.InvariantCulture) + "b" : null;

    /// <summary>Whole milliseconds as "Nms", anything finer in nanoseconds.</summary>
    /// <exception cref="ConfigurationException">A negative value (HOCON has no negative durations), naming the key.</exception>
    private static string? Duration(string key, TimeSpan? value) => value switch
    {
        null => null,
        { } v when v < TimeSpan.Zero => throw new ConfigurationException($"{SectionPath}.{key} = '{v}' is not valid: must not be negative."),
        { } v when v.Ticks % TimeSpan.TicksPerMillisecond == 0 => (v.Ticks / TimeSpan.TicksPerMillisecond).ToString(CultureInfo.InvariantCulture) + "ms",
        { } v => (v.Ticks * 100).ToString(CultureInfo.InvariantCulture) + "ns",
    };

    private static string? OnOff(bool? value) => value switch { null => null, true => "on", false => "off" };
}
