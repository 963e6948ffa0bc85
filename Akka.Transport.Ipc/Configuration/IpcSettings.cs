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
    int RingSize,
    int MaximumFrameSize,
    long SendQueueLimit,
    TimeSpan ConnectionTimeout,
    TimeSpan FlushTimeout)
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
        var settings = new IpcSettings(
            Hostname: Read(config, "hostname", c => c.GetString("hostname")),
            Port: Read(config, "port", c => c.GetInt("port")),
            Directory: Read(config, "directory", c => c.GetString("directory")),
            Mode: ParseMode(Read(config, "mode", c => c.GetString("mode"))),
            RingSize: RoundRingSize(Read(config, "ring-size", c => c.GetByteSize("ring-size") ?? -1)),
            MaximumFrameSize: (int)CheckRange("maximum-frame-size", Read(config, "maximum-frame-size", c => c.GetByteSize("maximum-frame-size") ?? -1), MinimumFrameSize, MaxByteSetting),
            SendQueueLimit: CheckRange("send-queue-limit", Read(config, "send-queue-limit", c => c.GetByteSize("send-queue-limit") ?? -1), 0, long.MaxValue),
            ConnectionTimeout: Positive("connection-timeout", Read(config, "connection-timeout", c => c.GetTimeSpan("connection-timeout"))),
            FlushTimeout: NonNegative("flush-timeout", Read(config, "flush-timeout", c => c.GetTimeSpan("flush-timeout"))));
        return settings.Validate();
    }

    /// <summary>The directory to use: the configured one, or /dev/shm/akka-ipc-&lt;uid&gt;.</summary>
    public string ResolvedDirectory =>
        Directory.Length > 0 ? Path.GetFullPath(Directory) : $"/dev/shm/akka-ipc-{Posix.Uid}";

    private IpcSettings Validate()
    {
        if (string.IsNullOrWhiteSpace(Hostname))
            throw Invalid("hostname", Hostname, "must not be empty");
        if (Port is < 0 or > 65535)
            throw Invalid("port", Port, "must be 0 (pick a free endpoint) or 1-65535");
        if (Mode == IpcMode.Fifo)
            throw Invalid("mode", "fifo", "the FIFO channel is not available in this version; use auto or shm");
        if (Directory.Length > 0 && File.Exists(Directory))
            throw Invalid("directory", Directory, "is a file, not a directory");
        return this;
    }

    private static T Read<T>(Config config, string key, Func<Config, T> read)
    {
        try
        {
            return read(config);
        }
        catch (Exception e) when (e is not ConfigurationException)
        {
            throw new ConfigurationException($"{SectionPath}.{key} = '{RawValue(config, key)}' is not valid: {e.Message}", e);
        }
    }

    private static string RawValue(Config config, string key)
    {
        try { return config.GetValue(key)?.ToString() ?? ""; }
        catch { return "?"; }
    }

    private static IpcMode ParseMode(string value) => value.Trim().ToLowerInvariant() switch
    {
        "auto" => IpcMode.Auto,
        "shm" => IpcMode.Shm,
        "fifo" => IpcMode.Fifo,
        _ => throw Invalid("mode", value, "valid values are auto, shm and fifo"),
    };

    private static int RoundRingSize(long value)
    {
        if (value <= 0 || value > RingLayout.MaxCapacity)
            throw Invalid("ring-size", value, $"must be between {RingLayout.MinCapacity} and {RingLayout.MaxCapacity} bytes");
        long size = RingLayout.MinCapacity;
        while (size < value)
            size <<= 1;
        return (int)size;
    }

    private static long CheckRange(string key, long value, long min, long max) =>
        value >= min && value <= max ? value : throw Invalid(key, value, $"must be between {min} and {max} bytes");

    private static TimeSpan Positive(string key, TimeSpan value) =>
        value > TimeSpan.Zero ? value : throw Invalid(key, value, "must be greater than zero");

    private static TimeSpan NonNegative(string key, TimeSpan value) =>
        value >= TimeSpan.Zero ? value : throw Invalid(key, value, "must not be negative");

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
