using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.TestActors;
using Akka.Transport.Ipc.Transport.CertainDeath;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.CertainDeath;

/// <summary>
/// The certain-death reactor on real remoting systems in one process (two akka.ipc endpoints in a test directory),
/// with <see cref="PeerEndpointTerminated"/> published by hand, so each rule is seen without a process dying: the
/// cross-process proof (a real SIGKILL) is in MultiNode/Specs/CertainDeathDeathWatchSpec.
/// </summary>
public sealed class CertainDeathReactorTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit("akka.loglevel = INFO", output: output), IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Bound = TimeSpan.FromMilliseconds(1500);
    private readonly IpcTestDirectory _directory = new();
    private readonly List<(ActorSystem System, ErrorLogCollector Errors)> _systems = new();

    [Fact]
    public async Task A_dead_peer_is_quarantined_by_uid_and_its_watched_actors_are_Terminated_at_once()
    {
        var (watcher, peer, echo) = await WatcherAndPeerAsync();
        var logs = LogCapture.Attach(watcher);
        var probe = CreateTestProbe(watcher);
        probe.Watch(echo);
        await RemoteWatchProbe.WatchEstablishedAsync(watcher, echo, probe.Ref, echo, Timeout);
        var quarantined = CreateTestProbe(watcher);
        watcher.EventStream.Subscribe(quarantined.Ref, typeof(QuarantinedEvent));
        var (address, uid) = (AddressOf(peer), AddressUidExtension.Uid(peer));

        watcher.EventStream.Publish(new PeerEndpointTerminated(address, uid));

        var q = quarantined.ExpectMsg<QuarantinedEvent>(Bound);
        Assert.Equal((address, uid), (q.Address, q.Uid));
        var terminated = probe.ExpectMsg<Terminated>(Bound);
        Assert.Equal(echo, terminated.ActorRef);
        Assert.True(terminated.AddressTerminated, "Terminated must come from AddressTerminated (the peer is gone)");
        var info = await logs.WaitForAsync(e => e.LogLevel() == LogLevel.InfoLevel
            && e.Message.ToString()!.Contains("notified remote DeathWatch"), Bound);
        Assert.NotNull(info);
        Assert.Contains(address.ToString(), info.ToString());
        Assert.Contains($"uid {uid}", info.ToString());
        // Akka's own failure detector has not given up on the (live) peer: these came from the reactor alone.
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task A_death_reported_for_another_incarnation_than_the_associated_one_terminates_nothing()
    {
        var (watcher, peer, echo) = await WatcherAndPeerAsync();
        var logs = LogCapture.Attach(watcher);
        var probe = CreateTestProbe(watcher);
        probe.Watch(echo);
        await RemoteWatchProbe.WatchEstablishedAsync(watcher, echo, probe.Ref, echo, Timeout);
        var quarantined = CreateTestProbe(watcher);
        watcher.EventStream.Subscribe(quarantined.Ref, typeof(QuarantinedEvent));
        int previousUid = unchecked(AddressUidExtension.Uid(peer) + 1); // what a restart on the same address looks like

        watcher.EventStream.Publish(new PeerEndpointTerminated(AddressOf(peer), previousUid));

        // Akka quarantines per UID and the live association has another one: no quarantine, no Terminated, and the
        // reactor says why once its wait for the confirmation ends.
        var skipped = await logs.WaitForAsync(e => e.LogLevel() == LogLevel.InfoLevel
            && e.Message.ToString()!.Contains("did not confirm"), CertainDeathReactor.ConfirmationTimeout + TimeSpan.FromSeconds(3));
        Assert.NotNull(skipped);
        Assert.Contains($"uid {previousUid}", skipped.ToString());
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        quarantined.ExpectNoMsg(TimeSpan.Zero);
        Assert.Equal("still here", await echo.Ask<string>("still here", Timeout));
    }

    [Fact]
    public async Task With_certain_death_off_a_reported_death_changes_nothing()
    {
        var (watcher, peer, echo) = await WatcherAndPeerAsync("certain-death = off");
        var probe = CreateTestProbe(watcher);
        probe.Watch(echo);
        await RemoteWatchProbe.WatchEstablishedAsync(watcher, echo, probe.Ref, echo, Timeout);
        var quarantined = CreateTestProbe(watcher);
        watcher.EventStream.Subscribe(quarantined.Ref, typeof(QuarantinedEvent));

        watcher.EventStream.Publish(new PeerEndpointTerminated(AddressOf(peer), AddressUidExtension.Uid(peer)));

        probe.ExpectNoMsg(TimeSpan.FromSeconds(2));
        quarantined.ExpectNoMsg(TimeSpan.Zero);
        var reactor = await watcher.ActorSelection($"/system/{CertainDeathReactions.ActorName}").Ask<ActorIdentity>(new Identify(1), Timeout);
        Assert.Null(reactor.Subject);
        Assert.Equal("still here", await echo.Ask<string>("still here", Timeout));
    }

    /// <summary>The watcher system, the peer system and the peer's echo as the watcher resolved it (associated both ways).</summary>
    private async Task<(ActorSystem Watcher, ActorSystem Peer, IActorRef Echo)> WatcherAndPeerAsync(string watcherSection = "")
    {
        var peer = Start("Peer", "");
        peer.ActorOf(Props.Create(() => new EchoActor()), "echo");
        var watcher = Start("Watcher", watcherSection);
        var echo = await watcher.ActorSelection($"{AddressOf(peer)}/user/echo").ResolveOne(Timeout);
        Assert.Equal("hello", await echo.Ask<string>("hello", Timeout));
        return (watcher, peer, echo);
    }

    private ActorSystem Start(string name, string ipcSection)
    {
        var config = ConfigurationFactory.ParseString($"akka.loglevel = INFO\nakka.remote.ipc {{\n{ipcSection}\n}}")
            .WithFallback(IpcConfig.For(_directory.Path));
        var system = ActorSystem.Create(name, config);
        _systems.Add((system, ErrorLogCollector.Install(system)));
        return system;
    }

    private static Address AddressOf(ActorSystem system) => ((ExtendedActorSystem)system).Provider.DefaultAddress;

    public new void Dispose()
    {
        var steps = new List<Action>
        {
            () => Task.WhenAll(_systems.Select(s => s.System.Terminate())).Wait(Timeout),
            _directory.AssertEmpty,
        };
        steps.AddRange(_systems.Select(s => (Action)s.Errors.AssertNoUnexpectedErrors));
        steps.Add(_directory.Dispose);
        steps.Add(() => base.Dispose());
        Cleanup.RunAll(steps.ToArray());
    }
}
