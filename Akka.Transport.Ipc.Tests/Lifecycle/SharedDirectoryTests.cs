using Akka.Configuration;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Configuration;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Mono.Unix.Native;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Lifecycle;

/// <summary>
/// The transport changes or deletes only what it created: an existing directory keeps its mode, a shared
/// shm-directory keeps other IPC directories' in-flight segments, and entries that are not the transport's
/// (directories, other names) survive the sweep of dead endpoints.
/// </summary>
public sealed class SharedDirectoryTests(ITestOutputHelper output) : IDisposable
{
    private readonly IpcTestDirectory _directory = new();
    private readonly List<string> _extraDirectories = new();

    [Fact]
    public void An_existing_directory_keeps_its_mode()
    {
        string existing = NewDirectory("existing", 0x1E8); // 0750: ours, not writable by others
        using (var endpoint = Listen(existing, ""))
            Assert.True(endpoint.Port > 0);
        Assert.Equal(0x1E8u, Mode(existing));
    }

    [Fact]
    public void A_shared_sticky_shm_directory_such_as_dev_shm_keeps_its_mode()
    {
        string shared = NewDirectory("shared", 0x3FF); // 1777, like /dev/shm
        using (var endpoint = Listen(_directory.Path, shared, "mode = shm"))
            Assert.True(endpoint.ShmAvailable);
        Assert.Equal(0x3FFu, Mode(shared));
    }

    [Fact]
    public void A_directory_writable_by_others_without_the_sticky_bit_is_refused_naming_key_and_path()
    {
        string open = NewDirectory("open", 0x1FF); // 0777, no sticky bit
        var error = Assert.Throws<ConfigurationException>(() => Listen(open, ""));
        output.WriteLine(error.Message);
        Assert.Contains("akka.remote.ipc.directory", error.Message);
        Assert.Contains(open, error.Message);
        Assert.Contains("writable by group or others", error.Message);
        Assert.Equal(0x1FFu, Mode(open)); // refused, not "fixed"
    }

    [Fact]
    public void The_sweep_leaves_another_ipc_directorys_in_flight_segment_in_a_shared_shm_directory()
    {
        string shared = NewDirectory("shared", 0x3FF);
        string other = NewDirectory("other", 0x1C0);
        // An endpoint of the other IPC directory has offered a segment that its peer has not opened yet.
        string inFlight = new ChannelNames(other, shared).Segment(4200, 1);
        File.WriteAllBytes(inFlight, new byte[64]);
        // A dead endpoint of this directory left a segment in the same shm-directory.
        string ownDebris = new ChannelNames(_directory.Path, shared).Segment(4201, 1);
        File.WriteAllBytes(ownDebris, new byte[64]);

        using (Listen(_directory.Path, shared))
        {
        }

        Assert.True(File.Exists(inFlight), "the sweep removed another IPC directory's in-flight segment");
        Assert.False(File.Exists(ownDebris), "the sweep left this directory's dead endpoint's segment");
        File.Delete(inFlight);
    }

    [Fact]
    public void The_sweep_leaves_directories_and_files_that_are_not_the_transports()
    {
        string subdirectory = Path.Combine(_directory.Path, "4242.d");
        Directory.CreateDirectory(subdirectory);
        string notes = Path.Combine(_directory.Path, "4242-notes.txt");
        File.WriteAllText(notes, "not the transport's");
        string deadLock = new ChannelNames(_directory.Path).Lock(4243);
        File.WriteAllText(deadLock, "pid=1\n"); // a dead endpoint's lock: swept

        using (Listen(_directory.Path, ""))
        {
        }

        Assert.True(Directory.Exists(subdirectory));
        Assert.True(File.Exists(notes));
        Assert.False(File.Exists(deadLock));
        Directory.Delete(subdirectory);
        File.Delete(notes);
    }

    [Fact]
    public void A_start_whose_accept_fifo_name_is_taken_by_a_directory_fails_naming_it_and_releases_the_port()
    {
        var names = new ChannelNames(_directory.Path);
        string squatter = names.Accept(4244);
        Directory.CreateDirectory(squatter);

        var error = Assert.Throws<ConfigurationException>(() => Listen(_directory.Path, "", "port = 4244"));
        output.WriteLine(error.Message);

        Assert.Contains("akka.remote.ipc.directory", error.Message);
        Assert.Contains(squatter, error.Message);
        Assert.True(Directory.Exists(squatter), "the transport removed a directory it did not create");
        Directory.Delete(squatter);
        _directory.AssertEmpty(); // lock, life FIFO and everything else released
    }

    public void Dispose()
    {
        try
        {
            foreach (var directory in _extraDirectories)
            {
                var left = Directory.GetFileSystemEntries(directory);
                Directory.Delete(directory, recursive: true);
                Assert.True(left.Length == 0, $"{directory} holds leftovers: {string.Join(", ", left)}");
            }
            _directory.AssertEmpty();
        }
        finally
        {
            _directory.Dispose();
        }
    }

    private string NewDirectory(string name, uint mode)
    {
        string path = Path.Combine(_directory.Path, name);
        Directory.CreateDirectory(path);
        Assert.Equal(0, Syscall.chmod(path, (FilePermissions)mode)); // chmod is not subject to the umask
        _extraDirectories.Insert(0, path);
        return path;
    }

    private static uint Mode(string path)
    {
        Assert.Equal(0, Syscall.lstat(path, out var stat));
        return (uint)stat.st_mode & 0xFFF;
    }

    private static Rendezvous Listen(string directory, string shmDirectory, string extra = "")
    {
        var settings = IpcSettings.Create(ConfigurationFactory.ParseString(
            $"directory = \"{directory}\"\nshm-directory = \"{shmDirectory}\"\n{extra}").WithFallback(IpcSettings.DefaultConfig));
        return TestEndpoints.Listen(settings, "Test");
    }
}
