using Akka.Actor;
using Akka.Remote;

namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>
/// Remote DeathWatch set-up that a test can rely on: <c>Watch</c> of a remote actor is asynchronous (through the
/// RemoteWatcher, then a system message to the peer), and a watch still in flight when the association ends yields a
/// Terminated with existence not confirmed from dead letters, not the one under test.
/// </summary>
public static class RemoteWatchProbe
{
    /// <summary>
    /// Waits until the system's RemoteWatcher lists <paramref name="watcher"/> watching <paramref name="watchee"/>, then
    /// makes one round trip to <paramref name="echo"/> (on the watchee's node) so the Watch system message written
    /// before it has reached the peer.
    /// </summary>
    public static async Task WatchEstablishedAsync(ActorSystem system, IActorRef watchee, IActorRef watcher, IActorRef echo, TimeSpan timeout)
    {
        var remoteWatcher = system.ActorSelection("/system/remote-watcher");
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var stats = await remoteWatcher.Ask<RemoteWatcher.Stats>(RemoteWatcher.Stats.Empty, timeout);
            if (stats.WatchingRefs.Contains((watchee, watcher)))
                break;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{watcher} is not watching {watchee} after {timeout}: {stats.WatchingRefs.Count} watches");
            await Task.Delay(20);
        }
        Assert.Equal("watch sent", await echo.Ask<string>("watch sent", timeout));
    }
}
