using Akka.Actor;
using Akka.Configuration;
using Akka.Transport.Ipc.Configuration;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Transport.CertainDeath;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.CertainDeath;

/// <summary>
/// <c>down-dead-peers = on</c> that cannot work fails the ActorSystem's start, naming the key, and leaves nothing
/// in the IPC directory. The companion assembly missing from a real process's directory is in
/// the multi-node MissingCompanionSpec; here the loader's own refusal of a type it cannot load.
/// </summary>
public sealed class DownDeadPeersStartTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit("akka.loglevel = INFO", output: output), IDisposable
{
    private const string Key = "akka.remote.ipc.down-dead-peers";
    private readonly IpcTestDirectory _directory = new();

    [Fact]
    public void On_without_the_cluster_provider_fails_the_start_naming_the_key()
    {
        var config = ConfigurationFactory.ParseString($"akka.loglevel = OFF\n{Key} = on").WithFallback(IpcConfig.For(_directory.Path));
        var error = Assert.ThrowsAny<Exception>(() => ActorSystem.Create("NotACluster", config).Terminate().Wait());
        string text = error.ToString();
        Output.WriteLine(text);
        Assert.Contains($"{Key} = on needs Akka.Cluster (akka.actor.provider = cluster)", text);
        Assert.Contains("RemoteActorRefProvider", text);
        _directory.AssertEmpty();
    }

    [Fact]
    public async Task On_with_the_cluster_provider_starts()
    {
        var config = ConfigurationFactory.ParseString($"akka.loglevel = INFO\nakka.actor.provider = cluster\n{Key} = on")
            .WithFallback(IpcConfig.For(_directory.Path));
        var system = ActorSystem.Create("Cluster", config);
        try
        {
            var reactor = await system.ActorSelection($"/system/{CertainDeathReactions.ActorName}")
                .Ask<ActorIdentity>(new Identify(1), TimeSpan.FromSeconds(10));
            Assert.NotNull(reactor.Subject);
        }
        finally
        {
            Assert.True(await system.Terminate().CompletesWithin(TimeSpan.FromSeconds(30)), "the system did not terminate");
        }
        _directory.AssertEmpty();
    }

    [Fact]
    public void A_companion_that_cannot_be_loaded_is_refused_naming_the_key_and_the_type()
    {
        const string Missing = "Akka.Transport.Ipc.Cluster.DownDeadPeers, Akka.Transport.Ipc.Cluster.NotShipped";
        var error = Assert.Throws<ConfigurationException>(
            () => CertainDeathReactions.LoadDownDeadPeers((ExtendedActorSystem)Sys, Missing));
        Assert.StartsWith($"{Key} = on needs the Akka.Transport.Ipc.Cluster assembly", error.Message);
        Assert.Contains(Missing, error.Message);
    }

    [Theory]
    [InlineData("", true, false)]
    [InlineData("certain-death = off", false, false)]
    [InlineData("down-dead-peers = on", true, true)]
    public void The_keys_default_to_certain_death_on_and_down_dead_peers_off(string section, bool certainDeath, bool downDeadPeers)
    {
        var settings = IpcSettings.Create(ConfigurationFactory.ParseString(section));
        Assert.Equal((certainDeath, downDeadPeers), (settings.CertainDeath, settings.DownDeadPeers));
    }

    [Theory]
    [InlineData("certain-death")]
    [InlineData("down-dead-peers")]
    public void A_value_that_is_not_a_boolean_fails_naming_the_key(string key)
    {
        var error = Assert.Throws<ConfigurationException>(() => IpcSettings.Create(ConfigurationFactory.ParseString($"{key} = maybe")));
        Assert.StartsWith($"akka.remote.ipc.{key} = 'maybe' is not valid: ", error.Message);
    }

    public new void Dispose()
    {
        Cleanup.RunAll(_directory.Dispose, () => base.Dispose());
    }
}
