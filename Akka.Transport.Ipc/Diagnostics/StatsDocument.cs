using System.Text.Json;
using System.Text.Json.Serialization;

namespace Akka.Transport.Ipc.Diagnostics;

/// <summary>
/// What <c>&lt;port&gt;.stats</c> holds (JSON, camelCase): who the endpoint is, and per open association its channel
/// and counts; ends by reason and the most recent ends. Written by <see cref="EndpointStatsFile"/>, read by the
/// <c>akka-ipc</c> tool, which must treat it as untrusted input (any file can sit under that name).
/// </summary>
public sealed class StatsDocument
{
    /// <summary>Format version; a reader refuses another one with a clear message.</summary>
    public const int CurrentVersion = 1;

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public int Version { get; set; } = CurrentVersion;
    public int Pid { get; set; }
    public int Port { get; set; }
    public string System { get; set; } = "";
    public string Address { get; set; } = "";
    public string Mode { get; set; } = "";
    public int RingSize { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public List<AssociationStats> Associations { get; set; } = new();
    public Dictionary<string, long> Ended { get; set; } = new();
    public List<EndedAssociation> RecentEnds { get; set; } = new();

    /// <summary>Parses a stats file's text; null with the reason when it is not a document of this version.</summary>
    public static StatsDocument? TryParse(ReadOnlySpan<byte> json, out string? error)
    {
        try
        {
            var document = JsonSerializer.Deserialize<StatsDocument>(json, JsonOptions);
            error = document == null ? "empty document"
                : document.Version != CurrentVersion ? $"format version {document.Version}, this reader knows {CurrentVersion}"
                : null;
            return error == null ? document : null;
        }
        catch (JsonException e)
        {
            error = "not a statistics document: " + e.Message;
            return null;
        }
    }
}

/// <summary>One open association in a <see cref="StatsDocument"/>.</summary>
public sealed class AssociationStats
{
    public string Peer { get; set; } = "";
    public string Channel { get; set; } = "";
    public string Direction { get; set; } = "";
    public DateTimeOffset OpenedAt { get; set; }
    public long FramesSent { get; set; }
    public long BytesSent { get; set; }
    public long FramesReceived { get; set; }
    public long BytesReceived { get; set; }
    public long WritesBackPressured { get; set; }
    public long QueuedBytes { get; set; }
    public long RingUsedBytes { get; set; }
    public long DoorbellPosts { get; set; }
}

/// <summary>An association that ended, in a <see cref="StatsDocument"/>'s recent ends.</summary>
public sealed record EndedAssociation(string Peer, string Channel, string End, DateTimeOffset At);
