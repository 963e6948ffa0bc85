using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.TestActors;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Hybrid;

/// <summary>
/// One address space in one process: two nodes with network-transport = dot-netty sharing an IPC directory reach
/// each other over IPC under their akka.tcp addresses; a plain dot-netty node (without this transport) reaches
/// both, and they it, over TCP. The channel is proven from outside the transport: the kernel's TCP table.
/// </summary>
public sealed class HybridRoutingTests(ITestOutputHelper output) : InProcessNodesKit(output)
{

    [Theory]
    [InlineData("auto")]
    [InlineData("fifo")]
    public async Task Co_located_nodes_talk_over_ipc_under_their_tcp_addresses_and_a_plain_dot_netty_node_over_tcp(string mode)
    {
        var a = Start("A", Hybrid(IpcDirectory.Path, mode: mode));
        var b = Start("B", Hybrid(IpcDirectory.Path, mode: mode));
        var c = Start("C", PlainDotNetty());
        foreach (var system in new[] { a, b, c })
            system.ActorOf(Props.Create(() => new EchoActor()), "echo");
        var (addressA, addressB, addressC) = (AddressOf(a), AddressOf(b), AddressOf(c));
        Assert.Equal("akka.tcp", addressA.Protocol);
        Assert.Equal("127.0.0.1", addressA.Host);

        // Every ordered pair: numbered messages, in order, none lost (the reply comes back to the asker's address).
        // A and B reach C before C sends to them, so C answers and sends over their connections (passive
        // connections, Akka's default): the only TCP connections are then to C's port.
        foreach (var (from, to) in new[] { (a, addressB), (b, addressA), (a, addressC), (b, addressC), (c, addressA), (c, addressB) })
            await ExchangeInOrder(from, to, count: 200);

        var tcp = EstablishedTcpPorts();
        Output.WriteLine($"A {addressA.Port}, B {addressB.Port}, C {addressC.Port}; established TCP: "
            + string.Join(", ", tcp.Select(p => $"{p.Local}->{p.Remote}")));
        Assert.True(tcp.Count(p => p.Remote == addressC.Port) >= 2, "A and B must each have connected to the plain node C over TCP");
        Assert.DoesNotContain(tcp, p => p.Remote == addressA.Port || p.Remote == addressB.Port); // no A-B connection, in either direction
    }

    [Fact]
    public async Task An_inbound_shortcut_association_carries_the_peers_network_address()
    {
        var a = Start("A", Hybrid(IpcDirectory.Path));
        var b = Start("B", Hybrid(IpcDirectory.Path));
        var probe = CreateTestProbe(b);
        b.ActorOf(Props.Create(() => new SenderReporter(probe.Ref)), "reporter");
        a.ActorSelection($"{AddressOf(b)}/user/reporter").Tell("who?");
        var sender = probe.ExpectMsg<ActorPath>(Timeout);
        Assert.Equal(AddressOf(a), sender.Address);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_co_located_peer_whose_transport_shut_down_is_reported_once_with_its_address_and_uid()
    {
        var a = Start("A", Hybrid(IpcDirectory.Path));
        var b = Start("B", Hybrid(IpcDirectory.Path));
        b.ActorOf(Props.Create(() => new EchoActor()), "echo");
        await ExchangeInOrder(a, AddressOf(b), count: 10);
        var probe = CreateTestProbe(a);
        a.EventStream.Subscribe(probe.Ref, typeof(PeerEndpointTerminated));
        var (addressB, uidB) = (AddressOf(b), AddressUidExtension.Uid(b));

        await b.Terminate().WaitAsync(Timeout);
        var terminated = probe.ExpectMsg<PeerEndpointTerminated>(Timeout);
        Assert.Equal(addressB, terminated.Address);
        Assert.Equal(uidB, terminated.Uid);
        probe.ExpectNoMsg(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void A_network_transport_that_does_not_exist_fails_the_start_naming_the_key()
    {
        var error = Assert.ThrowsAny<Exception>(() => Start("A", Hybrid(IpcDirectory.Path, network: "akka.remote.no-such.tcp")));
        Assert.Contains("akka.remote.ipc.network-transport", Flatten(error));
        Assert.Contains("akka.remote.no-such.tcp", Flatten(error));
    }

    [Fact]
    public void A_network_transport_also_enabled_on_its_own_fails_the_start_naming_both()
    {
        var config = ConfigurationFactory.ParseString("akka.remote.enabled-transports = [\"akka.remote.ipc\", \"akka.remote.dot-netty.tcp\"]")
            .WithFallback(Hybrid(IpcDirectory.Path));
        var error = Assert.ThrowsAny<Exception>(() => Start("A", config));
        Assert.Contains("akka.remote.ipc.network-transport", Flatten(error));
        Assert.Contains("enabled-transports", Flatten(error));
    }

    private static string Flatten(Exception e) => e.ToString();

    private async Task ExchangeInOrder(ActorSystem from, Address to, int count)
    {
        var echo = await from.ActorSelection($"{to}/user/echo").ResolveOne(Timeout);
        var probe = CreateTestProbe(from);
        for (int i = 0; i < count; i++)
            echo.Tell(i.ToString(CultureInfo.InvariantCulture), probe.Ref);
        for (int i = 0; i < count; i++)
            probe.ExpectMsg(i.ToString(CultureInfo.InvariantCulture), Timeout);
    }


    /// <summary>Established IPv4/IPv6 TCP connections on this host, as (local port, remote port).</summary>
    private static List<(int Local, int Remote)> EstablishedTcpPorts()
    {
        var result = new List<(int, int)>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
                continue;
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 4 || fields[3] != "01")
                    continue; // 01 = ESTABLISHED
                result.Add((PortOf(fields[1]), PortOf(fields[2])));
            }
        }
        return result;
    }

    private static int PortOf(string hexAddress) => int.Parse(hexAddress[(hexAddress.IndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private sealed class SenderReporter : ReceiveActor
    {
        public SenderReporter(IActorRef probe) => ReceiveAny(_ => probe.Tell(Sender.Path));
    }
}
