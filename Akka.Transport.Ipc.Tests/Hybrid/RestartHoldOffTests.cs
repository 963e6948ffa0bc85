using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Remote.Transport;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Hybrid;

/// <summary>
/// The hold-off after a co-located peer's certain death, in hybrid and in plain akka.ipc mode: for a second no
/// outbound association to its address is made, even when a new incarnation already listens there (Akka.Remote can orphan a writer it starts
/// while it quarantines the dead incarnation, and an orphan that reaches the new one leaves the pair writing on an
/// association the peer no longer reads: the restart spec's lost InitJoinAck). After the second the new incarnation
/// is reached over IPC. Raw SPI transports, each in its own local ActorSystem (a network port is per system). The
/// plain akka.ipc case showed the same lost InitJoinAck (IpcMemberRestartSpec, 2 of 34 runs without the hold-off).
/// </summary>
public sealed class RestartHoldOffTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit("akka.loglevel = INFO", output: output), IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly IpcTestDirectory _directory = new();
    private readonly List<ActorSystem> _systems = new();
    private readonly List<IpcTransport> _transports = new();
    private bool _hybrid;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_dead_co_located_peers_address_is_not_associated_for_a_second_then_its_restart_is_reached_over_ipc(bool hybrid)
    {
        _hybrid = hybrid;
        var a = NewTransport(port: 0);
        var b = NewTransport(port: 0);
        await ListenAsync(a);
        var addressB = await ListenAsync(b);
        var handle = await a.Associate(addressB).WaitAsync(Timeout);
        Assert.IsType<Akka.Transport.Ipc.Transport.IpcAssociationHandle>(handle);
        handle.ReadHandlerSource.SetResult(new IgnoringListener());
        var deaths = CreateTestProbe();
        _systems[0].EventStream.Subscribe(deaths.Ref, typeof(PeerEndpointTerminated)); // A's system
        // The next incarnation's system exists before B dies (its network port is B's; nothing binds it yet), so
        // only its transport's start falls inside the hold-off, even on a loaded machine.
        var b2System = NewSystem(port: addressB.Port!.Value);

        // B's endpoint goes away (its lock released): A's association ends and A records the death, then tells it.
        await b.Shutdown().WaitAsync(Timeout);
        Assert.Equal(addressB.WithProtocol("akka." + addressB.Protocol), deaths.ExpectMsg<PeerEndpointTerminated>(Timeout).Address);
        var stopwatch = Stopwatch.StartNew();

        // A new incarnation listens on B's port (hybrid: the network one) and advertises B's address in the directory at once.
        var b2 = NewTransport(b2System, addressB.Port!.Value);
        Assert.Equal(addressB, await ListenAsync(b2));
        var startedAfter = stopwatch.Elapsed;
        Assert.True(startedAfter < TimeSpan.FromMilliseconds(900),
            $"the next incarnation took {startedAfter.TotalMilliseconds:F0} ms to listen after B's death: the 1 s hold-off was (nearly) over before the test could associate");
        var refused = await Assert.ThrowsAsync<InvalidAssociationException>(() => a.Associate(addressB).WaitAsync(Timeout));
        Assert.Contains("died", refused.Message);
        Assert.Contains("resume 1000 ms after its death", refused.Message);

        await Task.Delay(TimeSpan.FromSeconds(1.2));
        var again = await a.Associate(addressB).WaitAsync(Timeout);
        Assert.IsType<Akka.Transport.Ipc.Transport.IpcAssociationHandle>(again);
        Assert.Equal(addressB, again.RemoteAddress);
    }

    private IpcTransport NewTransport(int port) => NewTransport(NewSystem(port), port);

    private ActorSystem NewSystem(int port)
    {
        var system = ActorSystem.Create("Sys", ConfigurationFactory.ParseString($$"""
            akka.loglevel = INFO
            akka.remote.enabled-transports = ["akka.remote.ipc"]
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = {{port}} }
            """).WithFallback(ConfigurationFactory.FromResource<Akka.Remote.RemoteSettings>("Akka.Remote.Configuration.Remote.conf")));
        _systems.Add(system);
        return system;
    }

    /// <summary>Hybrid: the network port is the system's (dot-netty's section); plain: <paramref name="port"/> is the IPC port.</summary>
    private IpcTransport NewTransport(ActorSystem system, int port)
    {
        var transport = new IpcTransport(system, ConfigurationFactory.ParseString($"""
            directory = "{_directory.Path}"
            mode = auto
            {(_hybrid ? "network-transport = \"akka.remote.dot-netty.tcp\"" : $"port = {port}")}
            """));
        _transports.Add(transport);
        return transport;
    }

    private async Task<Address> ListenAsync(IpcTransport transport)
    {
        var (address, promise) = await transport.Listen();
        promise.SetResult(new ActorAssociationEventListener(TestActor));
        return address;
    }

    private sealed class IgnoringListener : IHandleEventListener
    {
        public void Notify(IHandleEvent ev)
        {
        }
    }

    void IDisposable.Dispose()
    {
        Cleanup.RunAll(
            () => Task.WhenAll(_transports.Select(t => t.Shutdown())).Wait(Timeout),
            () => Task.WhenAll(_systems.Select(s => s.Terminate())).Wait(Timeout),
            _directory.Dispose,
            () => Shutdown());
    }
}
