using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Remote.Transport;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Hybrid;

/// <summary>
/// The hold-off after a co-located peer's certain death (hybrid): for a second no outbound association to its
/// address is made, even when a new incarnation already listens there (Akka.Remote can orphan a writer it starts
/// while it quarantines the dead incarnation, and an orphan that reaches the new one leaves the pair writing on an
/// association the peer no longer reads: the restart spec's lost InitJoinAck). After the second the new incarnation
/// is reached over IPC. Raw SPI transports, each in its own local ActorSystem (a network port is per system).
/// </summary>
public sealed class RestartHoldOffTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit("akka.loglevel = INFO", output: output), IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly IpcTestDirectory _directory = new();
    private readonly List<ActorSystem> _systems = new();
    private readonly List<IpcTransport> _transports = new();

    [Fact]
    public async Task A_dead_co_located_peers_address_is_not_associated_for_a_second_then_its_restart_is_reached_over_ipc()
    {
        var a = NewTransport(port: 0);
        var b = NewTransport(port: 0);
        await ListenAsync(a);
        var addressB = await ListenAsync(b);
        var handle = await a.Associate(addressB).WaitAsync(Timeout);
        Assert.IsType<Akka.Transport.Ipc.Transport.IpcAssociationHandle>(handle);
        var handleListener = new TaskCompletionSource<bool>();
        handle.ReadHandlerSource.SetResult(new DisassociationListener(handleListener));

        // B's endpoint goes away (its lock released): A's association ends and A records the death.
        await b.Shutdown().WaitAsync(Timeout);
        var stopwatch = Stopwatch.StartNew();
        await handleListener.Task.WaitAsync(Timeout);

        // A new incarnation listens on B's network port and advertises B's address in the directory at once.
        var b2 = NewTransport(port: addressB.Port!.Value);
        Assert.Equal(addressB, await ListenAsync(b2));
        var refused = await Assert.ThrowsAsync<InvalidAssociationException>(() => a.Associate(addressB).WaitAsync(Timeout));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1), $"the refusal came {stopwatch.Elapsed} after the death: the test needs it within the hold-off");
        Assert.Contains("died", refused.Message);
        Assert.Contains("resume 1000 ms after its death", refused.Message);

        await Task.Delay(TimeSpan.FromSeconds(1.2));
        var again = await a.Associate(addressB).WaitAsync(Timeout);
        Assert.IsType<Akka.Transport.Ipc.Transport.IpcAssociationHandle>(again);
    }

    private IpcTransport NewTransport(int port)
    {
        var system = ActorSystem.Create("Sys", ConfigurationFactory.ParseString($$"""
            akka.loglevel = INFO
            akka.remote.enabled-transports = ["akka.remote.ipc"]
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = {{port}} }
            """).WithFallback(ConfigurationFactory.FromResource<Akka.Remote.RemoteSettings>("Akka.Remote.Configuration.Remote.conf")));
        _systems.Add(system);
        var transport = new IpcTransport(system, ConfigurationFactory.ParseString($"""
            directory = "{_directory.Path}"
            mode = auto
            network-transport = "akka.remote.dot-netty.tcp"
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

    private sealed class DisassociationListener(TaskCompletionSource<bool> disassociated) : IHandleEventListener
    {
        public void Notify(IHandleEvent ev)
        {
            if (ev is Disassociated)
                disassociated.TrySetResult(true);
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
