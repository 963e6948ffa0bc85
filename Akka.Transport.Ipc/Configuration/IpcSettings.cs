using Akka.Configuration;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Configuration;

/// <summary>How two endpoints exchange frames.</summary>
public enum IpcMode
{
    /// <summary>Shared memory where usable, FIFOs otherwise.</summary>
    Auto,
    /// <summary>Shared-memory rings and named semaphores only.</summary>
    Shm,
    /// <summary>Named FIFOs only.</summary>
    Fifo,
}

/// <summary>
/// The <c>akka.remote.ipc</c> section, parsed and validated once. Defaults live in the embedded
/// <c>ipc.conf</c> only; every invalid value fails with a <see cref="ConfigurationException"/> naming its key.
/// </summary>
public sealed record IpcSettings(
    string Hostname,
    int Port,
    string Directory,
    IpcMode Mode,
    string ShmDirectory,
    int RingSize,
    int MaximumFrameSize,
    long SendQueueLimit,
    TimeSpan ConnectionTimeout,
    TimeSpan FlushTimeout,
    string NetworkTransport = "")
{
    /// <summary>The path of the section in a full configuration.</summary>
    public const string SectionPath = "akka.remote.ipc";

    /// <summary>Smallest accepted <c>maximum-frame-size</c>, as dot-netty's.</summary>
    public const int MinimumFrameSize = 32000;

    /// <summary>
    /// Room for Akka's protocol envelope: EndpointWriter checks the payload against <c>maximum-frame-size</c>
    /// and the envelope it adds must still pass.
    /// </summary>
    public const int EnvelopeHeadroom = 64 * 1024;

    private const long MaxByteSetting = 1L << 30;

    /// <summary>Largest frame a channel accepts on the wire, envelope included.</summary>
    public int WireFrameLimit => MaximumFrameSize + EnvelopeHeadroom;

    /// <summary>The embedded reference section (the defaults).</summary>
    public static Config DefaultConfig { get; } = LoadDefaults();

    /// <summary>Parses a section (merged over the defaults) and validates every key.</summary>
    public static IpcSettings Create(Config section)
    {
        var config = (section ?? Config.Empty).WithFallback(DefaultConfig);
        return new IpcSettings(
            Hostname: Read(config, "hostname", (c, k) => c.GetString(k), v => !string.IsNullOrWhiteSpace(v), "must not be empty"),
            Port: Read(config, "port", (c, k) => c.GetInt(k), v => v is >= 0 and <= 65535, "must be 0 (pick a free endpoint) or 1-65535"),
            Directory: Read(config, "directory", (c, k) => c.GetString(k), v => v.Length == 0 || !File.Exists(v), "is a file, not a directory"),
            Mode: ParseMode(config),
            ShmDirectory: Read(config, "shm-directory", (c, k) => c.GetString(k), v => v.Length == 0 || !File.Exists(v), "is a file, not a directory"),
            RingSize: RoundUpToPowerOfTwo(Read(config, "ring-size", ByteSize, v => v > 0 && v <= RingLayout.MaxCapacity,
                $"must be between 1 and {RingLayout.MaxCapacity} bytes (rounded up to a power of two, at least {RingLayout.MinCapacity})")),
            MaximumFrameSize: (int)Read(config, "maximum-frame-size", ByteSize, v => v is >= MinimumFrameSize and <= MaxByteSetting,
                $"must be between {MinimumFrameSize} and {MaxByteSetting} bytes"),
            SendQueueLimit: Read(config, "send-queue-limit", ByteSize, v => v >= 0, "must not be negative"),
            ConnectionTimeout: Read(config, "connection-timeout", (c, k) => c.GetTimeSpan(k), v => v > TimeSpan.Zero, "must be greater than zero"),
            FlushTimeout: Read(config, "flush-timeout", (c, k) => c.GetTimeSpan(k), v => v >= TimeSpan.Zero, "must not be negative"),
            NetworkTransport: Read(config, "network-transport", (c, k) => c.GetString(k).Trim(), _ => true, ""))
        {
            CertainDeath = Read(config, "certain-death", (c, k) => c.GetBoolean(k), _ => true, ""),
            DownDeadPeers = Read(config, "down-dead-peers", (c, k) => c.GetBoolean(k), _ => true, ""),
            ReceiverPollTime = Read(config, "receiver-poll-time", (c, k) => c.GetTimeSpan(k), v => v >= TimeSpan.Zero && v <= MaxReceiverPollTime,
                $"must be between 0s and {MaxReceiverPollTime.TotalSeconds:0}s"),
            ReceiverProfile = Read(config, "receiver-profile", (c, k) => c.GetBoolean(k), _ => true, ""),
        };
    }

    /// <summary>
    /// True when this node's address is its network transport's and only co-located peers go over IPC
    /// (<c>network-transport</c> is set); false for <c>akka.ipc://</c> addresses, every peer on this host.
    /// </summary>
    public bool IsHybrid => NetworkTransport.Length > 0;

    /// <summary>
    /// <c>certain-death</c>: when a co-located peer's endpoint lock is released, quarantine that incarnation and
    /// deliver remote DeathWatch <c>Terminated</c> at once (see <c>Transport/CertainDeath</c>).
    /// </summary>
    public bool CertainDeath { get; init; } = true;

    /// <summary><c>down-dead-peers</c>: also down such a peer in Akka.Cluster (needs Akka.Transport.Ipc.Cluster).</summary>
    public bool DownDeadPeers { get; init; }

    /// <summary>
    /// <c>receiver-poll-time</c>: how long the shared-memory receiver thread keeps polling its rings (yielding the core
    /// between polls) after its last frame before it sleeps on its doorbell. Zero: a few polls only (≈ 0 % CPU idle;
    /// a frame that finds it asleep pays a wake-up). See <see cref="Primitives.IdleStrategy"/>.
    /// </summary>
    public TimeSpan ReceiverPollTime { get; init; }

    /// <summary>
    /// <c>receiver-profile</c>: the shared-memory receiver thread measures its own CPU time by what each round did
    /// (delivering, garbage collection, spinning, yielding, sleeping), published as <c>akka.ipc.receiver.cpu.time</c>
    /// and <c>akka.ipc.receiver.rounds</c>. A diagnostic: one thread-CPU clock read per round.
    /// </summary>
    public bool ReceiverProfile { get; init; }

    /// <summary>The largest <c>receiver-poll-time</c> accepted: beyond it a "poll" is a busy core, not a latency setting.</summary>
    public static readonly TimeSpan MaxReceiverPollTime = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The directory to use: the configured one, else /dev/shm/akka-ipc-&lt;uid&gt;, else (no /dev/shm) the same
    /// name in the temporary directory, where FIFOs still work.
    /// </summary>
    public string ResolvedDirectory =>
        Directory.Length > 0 ? Path.GetFullPath(Directory)
        : System.IO.Directory.Exists("/dev/shm") ? $"/dev/shm/akka-ipc-{Posix.Uid}"
        : Path.Combine(Path.GetTempPath(), $"akka-ipc-{Posix.Uid}");

    /// <summary>Where segments are created: shm-directory, or the directory.</summary>
    public string ResolvedShmDirectory =>
        ShmDirectory.Length > 0 ? Path.GetFullPath(ShmDirectory) : ResolvedDirectory;

    /// <summary>Reads one key; a value that does not parse or breaks its rule fails naming key and value.</summary>
    private static T Read<T>(Config config, string key, Func<Config, string, T> read, Func<T, bool> isValid, string rule)
    {
        T value;
        try
        {
            value = read(config, key);
        }
        catch (Exception e) when (e is not ConfigurationException)
        {
            throw Invalid(key, RawValue(config, key), e.Message);
        }
        return isValid(value) ? value : throw Invalid(key, RawValue(config, key), rule);
    }

    private static long ByteSize(Config config, string key) =>
        config.GetByteSize(key) ?? throw new FormatException("not a size");

    private static string RawValue(Config config, string key)
    {
        try { return config.GetValue(key)?.ToString() ?? ""; }
        catch { return "?"; }
    }

    private static IpcMode ParseMode(Config config)
    {
        string value = Read(config, "mode", (c, k) => c.GetString(k), _ => true, "");
        return value.Trim().ToLowerInvariant() switch
        {
            "auto" => IpcMode.Auto,
            "shm" => IpcMode.Shm,
            "fifo" => IpcMode.Fifo,
            _ => throw Invalid("mode", value, "valid values are auto, shm and fifo"),
        };
    }

    private static int RoundUpToPowerOfTwo(long value)
    {
        long size = RingLayout.MinCapacity;
        while (size < value)
            size <<= 1;
        return (int)size;
    }

    internal static ConfigurationException Invalid(string key, object value, string reason) =>
        new($"{SectionPath}.{key} = '{value}' is not valid: {reason}.");

    private static Config LoadDefaults()
    {
        using var stream = typeof(IpcSettings).Assembly.GetManifestResourceStream("Akka.Transport.Ipc.Configuration.ipc.conf")
            ?? throw new InvalidOperationException("The embedded ipc.conf is missing.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd()).GetConfig(SectionPath);
    }
}
