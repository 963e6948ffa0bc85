using System.Text.Json;
using System.Text.Json.Serialization;

namespace Akka.Transport.Ipc.TestKit.Protocol;

/// <summary>
/// One message between the conductor (the test process) and a node, one JSON object per line over a Unix domain
/// socket — never over the transport under test, so barriers and commands still work when a spec blackholes or
/// breaks it. Which fields mean something depends on <see cref="Kind"/>:
/// <code>
///   node → conductor                         conductor → node
///   join     Role, Pid                       addresses Addresses (role → address), after every role is ready
///   ready    Address                         reply     Id, Ok, Text (answers barrier and command)
///   barrier  Id, Name                        throttle  Id, Target (address), Direction, Rate
///   command  Id, Operation, Role, Target,    exit      Id, Code
///            Direction, Rate, Code           abort     Text (the run is over; the node must stop)
///   reply    Id, Ok, Text (to throttle/exit)     (a kill's reply also carries Timestamp: when SIGKILL was sent;
///                                                 a restart's, Address: the new life's)
///   result   Ok, Text (the spec method's outcome)
///   skipped  Text (the spec skipped itself: the reason)
///   leaving  Id (the spec ends this process on purpose; answered)             (a signal's reply carries Code: the exit code)
/// </code>
/// </summary>
internal sealed class ConductorMessage
{
    public string Kind { get; set; } = "";
    public int Id { get; set; }
    public string? Role { get; set; }
    public string? Name { get; set; }
    public string? Text { get; set; }
    public string? Address { get; set; }
    public string? Operation { get; set; }
    public string? Target { get; set; }
    public string? Direction { get; set; }
    public float Rate { get; set; }
    public int Code { get; set; }
    public int Pid { get; set; }
    public long Timestamp { get; set; }
    public bool Ok { get; set; }
    public Dictionary<string, string>? Addresses { get; set; }

    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
    };

    public string ToLine() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses one line; a line that is not a message gives a clear error naming it.</summary>
    public static ConductorMessage Parse(string line)
    {
        try
        {
            var message = JsonSerializer.Deserialize<ConductorMessage>(line, Json);
            if (message is null || string.IsNullOrEmpty(message.Kind))
                throw new FormatException($"Not a conductor message (no kind): {line}");
            return message;
        }
        catch (JsonException e)
        {
            throw new FormatException($"Not a conductor message: {line}", e);
        }
    }
}
