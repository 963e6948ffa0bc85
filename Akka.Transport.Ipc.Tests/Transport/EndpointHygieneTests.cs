using Akka.Actor;
using Akka.Configuration;
using Akka.Remote.Transport;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Primitives;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Mono.Unix.Native;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Transport;

/// <summary>Permissions of what an endpoint creates, and the sweep of dead endpoints' debris.</summary>
public sealed class EndpointHygieneTests(ITestOutputHelper output) : TransportTestKit("auto", output)
{
    private async Task<(IpcTransport Transport, Address Address)> ListenAsync(int port = 0)
    {
        var transport = NewTransport($"port = {port}");
        return (transport, await ListenAsync(transport));
    }

    [Fact]
    public async Task The_directory_is_0700_and_every_file_and_semaphore_0600_owned_by_this_user()
    {
        var (_, address) = await ListenAsync();
        var (other, _) = await ListenAsync();
        await other.Associate(address).WaitAsync(Timeout);

        Assert.Equal(0x1C0u, PermissionBits(IpcDirectory.Path)); // 0700
        var entries = Directory.GetFileSystemEntries(IpcDirectory.Path);
        Assert.NotEmpty(entries);
        foreach (var entry in entries)
            Assert.True(PermissionBits(entry) == 0x180u, $"{entry} has mode {Convert.ToString(PermissionBits(entry), 8)}");
        var names = new ChannelNames(IpcDirectory.Path);
        string semaphore = "/dev/shm/sem." + names.Doorbell(address.Port!.Value).TrimStart('/');
        Assert.Equal(0x180u, PermissionBits(semaphore));
    }

    [Fact]
    public async Task Starting_an_endpoint_removes_the_debris_of_dead_ones_and_leaves_live_ones_alone()
    {
        var (_, live) = await ListenAsync();
        var names = new ChannelNames(IpcDirectory.Path);
        const int deadPort = 12345;
        File.WriteAllText(names.Lock(deadPort), "4242\n"); // nobody holds the flock: the process died
        Assert.Equal(0, Syscall.mkfifo(names.Accept(deadPort), FilePermissions.S_IRUSR | FilePermissions.S_IWUSR));
        Assert.Equal(0, Syscall.mkfifo(names.Life(deadPort), FilePermissions.S_IRUSR | FilePermissions.S_IWUSR));
        File.WriteAllBytes(names.Segment(deadPort, 1), new byte[8192]);
        NamedSemaphore.Create(names.Doorbell(deadPort)).Dispose(); // created and unlinked again by Dispose...
        var leaked = Interop.LibC.SemOpen(names.Doorbell(deadPort), Interop.LibC.O_CREAT, Interop.LibC.Mode0600, 0);
        Assert.NotEqual(0, leaked);
        Interop.LibC.SemClose(leaked); // ...so leak one for real, as a killed process would
        string semaphorePath = "/dev/shm/sem." + names.Doorbell(deadPort).TrimStart('/');
        Assert.True(File.Exists(semaphorePath));

        await ListenAsync();

        var left = Directory.GetFileSystemEntries(IpcDirectory.Path).Select(Path.GetFileName).ToList();
        Assert.DoesNotContain(left, name => name!.StartsWith($"{deadPort}", StringComparison.Ordinal));
        Assert.False(File.Exists(semaphorePath));
        Assert.Contains($"{live.Port}.lock", left);
        Assert.Contains($"{live.Port}.accept", left);
    }

    [Fact]
    public async Task A_port_owned_by_a_live_endpoint_is_refused_naming_the_key()
    {
        var (_, address) = await ListenAsync();
        var error = await Assert.ThrowsAsync<ConfigurationException>(() => ListenAsync(address.Port!.Value));
        Assert.Contains("akka.remote.ipc.port", error.Message);
    }

    [Fact]
    public async Task A_released_port_can_be_listened_on_again()
    {
        var (first, address) = await ListenAsync();
        await first.Shutdown();
        var (_, again) = await ListenAsync(address.Port!.Value);
        Assert.Equal(address.Port, again.Port);
    }

    private static uint PermissionBits(string path)
    {
        Assert.Equal(0, Syscall.stat(path, out var stat));
        Assert.Equal(Syscall.getuid(), stat.st_uid);
        return (uint)stat.st_mode & 0x1FF;
    }
}
