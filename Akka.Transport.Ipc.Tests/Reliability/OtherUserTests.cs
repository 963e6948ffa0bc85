using Akka.Configuration;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Mono.Unix.Native;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Reliability;

/// <summary>
/// Another user's directory or segment is refused with a clear error (another user's process: the multi-node
/// <c>OtherUserSpec</c>). Changing owners needs root: where
/// the tests do not run as root they are reported as skipped, with the reason (CI runs as root, and `.ci/run`
/// fails a root run that skipped any test).
/// </summary>
public sealed class OtherUserTests(ITestOutputHelper output) : TransportTestKit("shm", output)
{
    private const uint Nobody = 65534;

    private const string NeedsRoot = "needs root: changing file owners; this run is not root";

    private static bool IsRoot => Syscall.getuid() == 0;

    [SkippableFact]
    public async Task A_directory_owned_by_another_user_is_refused_naming_the_key()
    {
        Skip.IfNot(IsRoot, NeedsRoot);
        string foreign = Path.Combine(IpcDirectory.Path, "foreign");
        Directory.CreateDirectory(foreign, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Assert.Equal(0, Syscall.chown(foreign, Nobody, Nobody));
        try
        {
            var transport = new IpcTransport(Sys, ConfigurationFactory.ParseString($"directory = \"{foreign}\""));
            var error = await Assert.ThrowsAsync<ConfigurationException>(() => transport.Listen());
            Assert.Contains("akka.remote.ipc.directory", error.Message);
            Assert.Contains($"belongs to uid {Nobody}", error.Message);
        }
        finally
        {
            Directory.Delete(foreign);
        }
    }

    [SkippableFact]
    public async Task A_segment_owned_by_another_user_is_refused()
    {
        Skip.IfNot(IsRoot, NeedsRoot);
        var server = NewTransport("ring-size = 4KiB");
        int port = (await ListenAsync(server)).Port!.Value;
        using var peer = new HostilePeer(IpcDirectory.Path);

        EventFilter.Warning(contains: $"not a regular file owned by uid {Syscall.getuid()}").ExpectOne(() =>
            Assert.Throws<TimeoutException>(() => peer.Offer(port, 4096, server.Settings.WireFrameLimit, TimeSpan.FromSeconds(3),
                beforeRequest: path => Assert.Equal(0, Syscall.chown(path, Nobody, Nobody)))));
        ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // no InboundAssociation
    }
}
