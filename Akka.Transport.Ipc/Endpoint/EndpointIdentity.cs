using System.Globalization;
using Akka.Actor;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Interop;

namespace Akka.Transport.Ipc.Endpoint;

/// <summary>
/// Who an endpoint is to Akka: the address it advertises (at transport level, without the <c>akka.</c> prefix:
/// <c>ipc://Sys@localhost:41234</c>, or with a network transport <c>tcp://Sys@10.1.2.3:4053</c>) and its
/// ActorSystem's address UID, which names the incarnation. Written into the endpoint's lock file and carried by
/// its connect requests, so a peer knows whom it talks to — and whose death it sees — before Akka's handshake.
/// </summary>
internal sealed record EndpointIdentity(Address Address, int Uid)
{
    private const string UidField = "uid=";
    private const string AddressField = "address=";

    /// <summary>Prefix Akka.Remote puts before a transport's scheme; its address parser insists on it.</summary>
    private const string AkkaPrefix = "akka.";

    /// <summary>
    /// The lock file's line: <c>pid=P protocol=V uid=U address=A</c>, the address as users write it
    /// (<c>akka.tcp://Sys@10.1.2.3:4053</c>).
    /// </summary>
    public string ToLockInfo() =>
        $"pid={LibC.GetPid()} protocol={SegmentLayout.Version} {UidField}{Uid.ToString(CultureInfo.InvariantCulture)} {AddressField}{AkkaPrefix}{Address}";

    /// <summary>The identity a live endpoint wrote into its lock file, or null when it wrote none (or garbage).</summary>
    public static EndpointIdentity? FromLockInfo(string lockInfo)
    {
        int? uid = null;
        Address? address = null;
        foreach (var field in lockInfo.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (field.StartsWith(UidField, StringComparison.Ordinal)
                && int.TryParse(field.AsSpan(UidField.Length), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
                uid = value;
            else if (field.StartsWith(AddressField, StringComparison.Ordinal))
                address = ParseAddress(field.Substring(AddressField.Length));
        }
        return uid is int u && address != null ? new EndpointIdentity(address, u) : null;
    }

    /// <summary>
    /// True when this endpoint is the one Akka means by <paramref name="address"/> (transport level): same scheme,
    /// system, host and port, compared exactly as Akka compares addresses — a different spelling of the host is a
    /// different address to Akka, whose messages it would drop. The <c>akka.</c> prefix may be present or not.
    /// </summary>
    public bool Advertises(Address address) =>
        Address.Equals(address.Protocol.StartsWith(AkkaPrefix, StringComparison.Ordinal)
            ? address.WithProtocol(address.Protocol.Substring(AkkaPrefix.Length)) // as users write it: same address
            : address);

    /// <summary>
    /// Parses <c>akka.scheme://System@host:port</c> into the transport-level address (<c>scheme://…</c>); null when
    /// it is not an address with host and port.
    /// </summary>
    public static Address? ParseAddress(string text) =>
        Address.TryParse(text.AsSpan(), out var address) && address.Host != null && address.Port != null
            && address.Protocol.StartsWith(AkkaPrefix, StringComparison.Ordinal)
            ? address.WithProtocol(address.Protocol.Substring(AkkaPrefix.Length))
            : null;
}
