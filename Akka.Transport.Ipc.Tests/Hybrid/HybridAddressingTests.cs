using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.TestActors;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Hybrid;

/// <summary>
/// How hybrid endpoints advertise themselves and share a directory with akka.ipc endpoints: the lock file and the
/// connect request carry the advertised address and UID; an akka.ipc address cannot reach a hybrid endpoint's port
/// (nor the other way round); a co-located peer that refuses the shortcut is still reached, over the network.
/// </summary>
public sealed class HybridAddressingTests(ITestOutputHelper output) : InProcessNodesKit(output)
{

    [Theory]
    [InlineData("ipc", "Sys", "localhost", 41234, -5)]
    [InlineData("tcp", "My-System_2", "10.1.2.3", 4053, int.MaxValue)]
    [InlineData("tcp", "Sys", "node-7.example.internal", 1, int.MinValue)]
    public void A_lock_file_line_names_the_advertised_address_and_uid(string scheme, string system, string host, int port, int uid)
    {
        var identity = new EndpointIdentity(new Address(scheme, system, host, port), uid);
        string line = identity.ToLockInfo();
        Assert.Contains($" address=akka.{scheme}://{system}@{host}:{port}", line);
        Assert.Equal(identity, EndpointIdentity.FromLockInfo(line));
        Assert.True(EndpointIdentity.FromLockInfo(line)!.Advertises(new Address(scheme, system, host, port)));
        Assert.False(EndpointIdentity.FromLockInfo(line)!.Advertises(new Address(scheme, system, host.ToUpperInvariant() + "x", port)));
    }

    [Theory]
    [InlineData("pid=12 protocol=3")]
    [InlineData("pid=12 protocol=3 uid=x address=akka.tcp://S@h:1")]
    [InlineData("pid=12 protocol=3 uid=1 address=tcp://S@h:1")]
    [InlineData("pid=12 protocol=3 uid=1 address=akka.tcp://S")]
    [InlineData("sweeping")]
    public void A_lock_file_line_without_a_whole_identity_has_none(string line) => Assert.Null(EndpointIdentity.FromLockInfo(line));

    [Fact]
    public void A_connect_request_carries_the_clients_advertised_address_and_uid()
    {
        var request = new ConnectRequest(40001, 7, 123, ChannelMode.Shm, "Sys", "10.1.2.3", "/dev/shm", 1 << 20, 200_000,
            Uid: -42, Scheme: "tcp", AddressPort: 4053);
        var buffer = new byte[ConnectRequest.Length];
        request.WriteTo(buffer);
        var read = ConnectRequest.TryRead(buffer, out string? error);
        Assert.Null(error);
        Assert.Equal(request, read);

        var ipc = request with { Scheme = "ipc", AddressPort = 0 };
        ipc.WriteTo(buffer);
        Assert.Equal(40001, ConnectRequest.TryRead(buffer, out _)!.AddressPort); // an akka.ipc address's port is the endpoint's
    }

    [Fact]
    public async Task An_akka_ipc_address_cannot_reach_a_hybrid_endpoint_of_the_same_directory()
    {
        var hybrid = Start("Hybrid", Hybrid(IpcDirectory.Path));
        int ipcPort = EndpointPorts().Single();
        var ipc = Start("Local", IpcConfig.For(IpcDirectory.Path));
        var log = LogCapture.Attach(ipc);
        var asked = new Address("akka.ipc", "Hybrid", "localhost", ipcPort);

        ipc.ActorSelection($"{asked}/user/anyone").Tell("hello?");
        var warning = await log.WaitForAsync(e => e is Warning && e.ToString()!.Contains("does not match"), Timeout);
        Assert.NotNull(warning);
        Output.WriteLine(warning.ToString());
        Assert.Contains(AddressOf(hybrid).ToString(), warning.ToString()); // it names the address that endpoint advertises
    }

    [Fact]
    public async Task A_co_located_peer_that_refuses_the_shortcut_is_reached_over_the_network_with_a_warning()
    {
        var a = Start("A", ConfigurationFactory.ParseString("akka.remote.ipc.ring-size = 1MiB").WithFallback(Hybrid(IpcDirectory.Path)));
        var b = Start("B", ConfigurationFactory.ParseString("akka.remote.ipc.ring-size = 256KiB").WithFallback(Hybrid(IpcDirectory.Path)));
        b.ActorOf(Props.Create(() => new EchoActor()), "echo");
        var log = LogCapture.Attach(a);

        var echo = await a.ActorSelection($"{AddressOf(b)}/user/echo").ResolveOne(Timeout);
        var probe = CreateTestProbe(a);
        for (int i = 0; i < 100; i++)
            echo.Tell(i.ToString(CultureInfo.InvariantCulture), probe.Ref);
        for (int i = 0; i < 100; i++)
            probe.ExpectMsg(i.ToString(CultureInfo.InvariantCulture), Timeout);

        var warning = await log.WaitForAsync(e => e is Warning && e.ToString()!.Contains("cannot be reached over IPC"), Timeout);
        Assert.NotNull(warning);
        Assert.Contains("ring-size", warning.ToString());
    }

    private IEnumerable<int> EndpointPorts() =>
        Directory.GetFiles(IpcDirectory.Path, "*.lock").Select(f => int.Parse(Path.GetFileNameWithoutExtension(f), CultureInfo.InvariantCulture));
}
