using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Transport;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.TestActors;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Transport;

/// <summary>
/// The migration mistake `akka.ipc://Sys@127.0.0.1:P` (or the wrong system name) for an endpoint whose address is
/// `akka.ipc://Sys@localhost:P`: refused when associating, naming what was asked for and what listens there, instead
/// of an association whose every message Akka drops as "for non-local recipient".
/// </summary>
public sealed class AddressMismatchTests(ITestOutputHelper output) : TransportTestKit("auto", output)
{
    private static readonly TimeSpan AtOnce = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData("127.0.0.1", null)]
    [InlineData(null, "WrongSystem")]
    public async Task Associating_with_the_wrong_hostname_or_system_fails_at_once_naming_both_addresses(string? host, string? system)
    {
        var client = NewTransport();
        var server = NewTransport();
        await ListenAsync(client);
        var listening = await ListenAsync(server);
        var asked = new Address(listening.Protocol, system ?? listening.System, host ?? listening.Host, listening.Port);

        var error = await Assert.ThrowsAsync<InvalidAssociationException>(() => client.Associate(asked).WaitAsync(AtOnce));
        Assert.Contains($"akka.{asked}", error.Message);
        Assert.Contains($"akka.{listening}", error.Message);
        Assert.Null(error.InnerException);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // the listener never saw an inbound association
    }

    [Fact]
    public async Task The_right_address_still_associates()
    {
        var client = NewTransport();
        var server = NewTransport();
        await ListenAsync(client);
        var listening = await ListenAsync(server);
        var handle = await client.Associate(listening).WaitAsync(Timeout);
        Assert.Equal(listening, handle.RemoteAddress);
        ExpectMsg<InboundAssociation>(Timeout);
        handle.Disassociate("test over", Sys.Log);
    }

    [Fact]
    public async Task An_actor_selection_with_the_wrong_hostname_is_logged_at_once_naming_both_addresses_and_the_right_one_works()
    {
        using var pong = StartSystem("Pong");
        pong.ActorOf(Props.Create(() => new EchoActor()), "echo");
        var pongAddress = ((ExtendedActorSystem)pong).Provider.DefaultAddress;
        using var ping = StartSystem("Ping");
        var log = LogCapture.Attach(ping);
        try
        {
            var wrong = new Address(pongAddress.Protocol, pongAddress.System, "127.0.0.1", pongAddress.Port);
            ping.ActorSelection($"{wrong}/user/echo").Tell("hello?");
            var warning = await log.WaitForAsync(e => e is Warning && e.ToString().Contains(wrong.ToString()), AtOnce);
            Assert.NotNull(warning);
            string text = warning.ToString();
            Output.WriteLine(text);
            Assert.Contains($"{wrong} does not match", text);
            Assert.Contains(pongAddress.ToString(), text);

            var echo = await ping.ActorSelection($"{pongAddress}/user/echo").ResolveOne(Timeout);
            Assert.Equal("hello", await echo.Ask<string>("hello", Timeout));
        }
        finally
        {
            await Task.WhenAll(ping.Terminate(), pong.Terminate()).WaitAsync(Timeout);
        }
    }

    private ActorSystem StartSystem(string name) => ActorSystem.Create(name,
        ConfigurationFactory.ParseString("akka.loglevel = WARNING")
            .WithFallback(IpcConfig.For(IpcDirectory.Path)));
}
