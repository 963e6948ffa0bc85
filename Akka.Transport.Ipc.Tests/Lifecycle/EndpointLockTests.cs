using Akka.Configuration;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Configuration;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Primitives;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Lifecycle;

/// <summary>
/// An endpoint's lock file is removed only by the endpoint holding it, once, and only while it is still the file it
/// holds; a port briefly held by a sweeper is not mistaken for a live endpoint.
/// </summary>
public sealed class EndpointLockTests(ITestOutputHelper output) : IDisposable
{
    private readonly IpcTestDirectory _directory = new();

    private ChannelNames Names => new(_directory.Path);

    [Fact]
    public void Disposing_a_lock_twice_never_removes_the_lock_file_of_an_endpoint_that_claimed_the_port_in_between()
    {
        string path = Names.Lock(4100);
        var first = EndpointLock.TryAcquire(path, "first")!;
        first.Dispose();
        using var second = EndpointLock.TryAcquire(path, "second");
        Assert.NotNull(second);

        first.Dispose(); // what a failed start did: Rendezvous' constructor and Listen both disposed it

        Assert.True(File.Exists(path), "the second endpoint's lock file was removed by the first one's second Dispose");
        Assert.Null(EndpointLock.TryAcquire(path, "third")); // a third endpoint must not get a live port
    }

    [Fact]
    public void Dispose_leaves_a_lock_file_that_replaced_the_one_it_holds()
    {
        string path = Names.Lock(4101);
        var first = EndpointLock.TryAcquire(path, "first")!;
        File.Delete(path); // someone removed it behind the holder's back...
        using var second = EndpointLock.TryAcquire(path, "second"); // ...and a new endpoint took the name
        Assert.NotNull(second);

        first.Dispose();

        Assert.True(File.Exists(path), "Dispose removed a lock file it does not hold");
        Assert.Equal("second", EndpointLock.ReadInfo(path));
    }

    [Fact]
    public void A_failed_start_releases_the_port_and_leaves_nothing()
    {
        // mode = shm with a shm-directory nobody can create: the start fails after the port was claimed.
        var settings = Settings($"port = 4102\nmode = shm\nshm-directory = \"/proc/unusable-{_directory.Token}\"");
        var error = Assert.Throws<ConfigurationException>(() => Listen(settings));
        output.WriteLine(error.Message);
        Assert.Contains("akka.remote.ipc.mode", error.Message);
        _directory.AssertEmpty();
        using var again = EndpointLock.TryAcquire(Names.Lock(4102), "again");
        Assert.NotNull(again);
    }

    [Fact]
    public void A_fixed_port_held_by_a_sweeper_is_claimed_once_the_sweeper_lets_go()
    {
        const int port = 4103;
        string path = Names.Lock(port);
        var guard = EndpointLock.TryClaimDead(path)!; // what SweepDeadEndpoints holds while it removes a dead port's debris
        Assert.NotNull(guard);
        // A thread of its own, not the thread pool: at the start of a parallel test run the pool can be busy for
        // seconds (CI once released the lock only after the endpoint's 2 s patience), which is not what is tested.
        var release = new Thread(() =>
        {
            Thread.Sleep(300);
            File.Delete(path); // the sweeper unlinks the dead lock file, then lets go
            guard.Dispose();
        }) { Name = "sweeper-release" };
        release.Start();

        try
        {
            using var endpoint = Listen(Settings($"port = {port}"));
            Assert.Equal(port, endpoint.Port);
        }
        finally
        {
            release.Join();
        }
    }

    [Fact]
    public void A_fixed_port_held_by_a_live_endpoint_is_still_refused_at_once()
    {
        using var live = Listen(Settings("port = 4104"));
        var started = DateTime.UtcNow;
        var error = Assert.Throws<ConfigurationException>(() => Listen(Settings("port = 4104")));
        Assert.Contains("is owned by a live endpoint", error.Message);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(1), "a live endpoint's port was retried as if a sweeper held it");
    }

    public void Dispose()
    {
        try
        {
            _directory.AssertEmpty();
        }
        finally
        {
            _directory.Dispose();
        }
    }

    private IpcSettings Settings(string extra) =>
        IpcSettings.Create(ConfigurationFactory.ParseString($"directory = \"{_directory.Path}\"\n{extra}").WithFallback(IpcSettings.DefaultConfig));

    private static Rendezvous Listen(IpcSettings settings) =>
        TestEndpoints.Listen(settings, "Test");
}
