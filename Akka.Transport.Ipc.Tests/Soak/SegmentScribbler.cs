using System.Buffers.Binary;
using System.Globalization;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Primitives;
using Microsoft.Win32.SafeHandles;

namespace Akka.Transport.Ipc.Tests.Soak;

/// <summary>
/// Writes random bytes into a live association segment that a node has mapped. Segments are unlinked once
/// accepted, so they are reached through the node's own mapping: /proc/pid/maps names them
/// (<c>…/&lt;port&gt;-&lt;id&gt;.seg (deleted)</c>) and /proc/pid/map_files/&lt;range&gt; opens the very file (root only).
/// </summary>
/// <remarks>
/// The bytes go over one ring's producer and consumer positions (<see cref="RingLayout"/>), forced impossible (an
/// unaligned tail, a head far past any tail): the transport must notice and end the association with a logged
/// reason. Random bytes in payloads would be delivered as they are — the rings carry no checksums; processes of one
/// user are trusted not to do that on purpose — and would only prove that the content check works.
/// </remarks>
internal static class SegmentScribbler
{
    /// <summary>One segment mapping of a process.</summary>
    public sealed record Mapping(string Range, string File);

    /// <summary>What was hit: the segment's two endpoints and which ring.</summary>
    public sealed record Hit(int ClientPort, int ServerPort, string Ring, string File);

    /// <summary>The association segments under <paramref name="directory"/> that process <paramref name="pid"/> has mapped.</summary>
    public static IReadOnlyList<Mapping> Segments(int pid, string directory)
    {
        var found = new List<Mapping>();
        string prefix = directory.TrimEnd('/') + "/";
        foreach (var line in File.ReadLines($"/proc/{pid}/maps"))
        {
            // "start-end perms offset dev inode   path", path possibly followed by " (deleted)"
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6)
                continue;
            string path = fields[5].Trim();
            if (path.EndsWith(" (deleted)", StringComparison.Ordinal))
                path = path[..^" (deleted)".Length];
            if (path.StartsWith(prefix, StringComparison.Ordinal) && path.EndsWith(".seg", StringComparison.Ordinal)
                && fields[2] == "00000000")
                found.Add(new Mapping(fields[0], path));
        }
        return found;
    }

    /// <summary>Scribbles on one ring's positions; null when the mapping went away meanwhile (the association ended).</summary>
    public static Hit? Scribble(int pid, Mapping mapping, Random random)
    {
        SafeFileHandle file;
        try
        {
            file = File.OpenHandle($"/proc/{pid}/map_files/{mapping.Range}", FileMode.Open, FileAccess.ReadWrite);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        using (file)
        {
            var header = new byte[SegmentLayout.ServerPortOffset + 4];
            RandomAccess.Read(file, header, 0);
            int capacity = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(SegmentLayout.RingCapacityOffset));
            int clientPort = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(SegmentLayout.ClientPortOffset));
            int serverPort = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(SegmentLayout.ServerPortOffset));
            if (!RingLayout.IsValidCapacity(capacity))
                throw new InvalidDataException($"{mapping.File} of pid {pid} declares ring capacity {capacity}");

            bool clientToServer = random.Next(2) == 0;
            long ring = clientToServer ? SegmentLayout.ClientToServerRing : SegmentLayout.ServerToClientRing(capacity);
            var garbage = new byte[8];
            random.NextBytes(garbage);
            garbage[0] |= 1; // an odd producer position: never one a writer publishes
            RandomAccess.Write(file, garbage, ring + RingLayout.TailOffset);
            random.NextBytes(garbage);
            garbage[7] = (byte)(0x40 | (garbage[7] & 0x3F)); // ≥ 2^62: a consumer position far beyond any producer position
            RandomAccess.Write(file, garbage, ring + RingLayout.HeadOffset);
            return new Hit(clientPort, serverPort, clientToServer ? "client→server" : "server→client", mapping.File);
        }
    }

    public static string Describe(Hit hit) =>
        string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(hit.File)} ({hit.Ring} ring of {hit.ClientPort}→{hit.ServerPort})");
}
