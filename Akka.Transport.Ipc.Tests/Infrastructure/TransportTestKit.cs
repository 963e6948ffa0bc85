using Akka.Actor;
using Akka.Configuration;
using Akka.Remote.Transport;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>
/// Drives <see cref="IpcTransport"/>s through the SPI directly, as Akka.Remote's EndpointManager does, in a
/// fresh IPC directory that must be empty once every transport has shut down.
/// </summary>
public abstract class TransportTestKit : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly List<IpcTransport> _transports = new();

    protected TransportTestKit(string mode, ITestOutputHelper output) : base("akka.loglevel = INFO", output: output)
    {
        Mode = mode;
        Errors = ErrorLogCollector.Install(Sys);
    }

    /// <summary>ERROR events of the test system; any not allowed (<see cref="ErrorLogCollector.Allow"/>) fails the test.</summary>
    protected ErrorLogCollector Errors { get; }

    protected IpcTestDirectory IpcDirectory { get; } = new();

    protected string Mode { get; }

    protected IReadOnlyList<IpcTransport> Transports => _transports;

    /// <summary>A transport on this test's directory and mode; <paramref name="extra"/> is more of its section.</summary>
    protected IpcTransport NewTransport(string extra = "")
    {
        var config = ConfigurationFactory.ParseString($"directory = \"{IpcDirectory.Path}\"\nmode = {Mode}\n{extra}");
        var transport = new IpcTransport(Sys, config);
        _transports.Add(transport);
        return transport;
    }

    /// <summary>Listens, sending inbound associations to <paramref name="listener"/> (default: TestActor).</summary>
    protected async Task<Address> ListenAsync(IpcTransport transport, IActorRef? listener = null)
    {
        var (address, promise) = await transport.Listen();
        promise.SetResult(new ActorAssociationEventListener(listener ?? TestActor));
        return address;
    }

    /// <summary>Two transports, one association: the outbound handle and the inbound one.</summary>
    protected async Task<(AssociationHandle Outbound, AssociationHandle Inbound)> ConnectedPairAsync(string extra = "")
    {
        var a = NewTransport(extra);
        var b = NewTransport(extra);
        await ListenAsync(a);
        var addressB = await ListenAsync(b);
        var outbound = await a.Associate(addressB).WaitAsync(Timeout);
        var inbound = ExpectMsg<InboundAssociation>(Timeout).Association;
        return (outbound, inbound);
    }

    void IDisposable.Dispose()
    {
        // In parallel: each waits up to a second for handles nobody disassociated.
        var shutdowns = Task.WhenAll(_transports.Select(t => t.Shutdown()));
        Cleanup.RunAll(
            () =>
            {
                if (!shutdowns.Wait(Timeout))
                    throw new Xunit.Sdk.XunitException($"{_transports.Count} transport(s) did not finish Shutdown within {Timeout}");
            },
            IpcDirectory.Dispose, // fails the test, naming what was left, after removing it
            () => Shutdown(),
            Errors.AssertNoUnexpectedErrors);
    }
}
