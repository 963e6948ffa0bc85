using Akka.Actor;
using Akka.Configuration;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

public sealed class MissingCompanionConfig : MultiNodeConfig
{
    public const string Companion = "Akka.Transport.Ipc.Cluster";

    public MissingCompanionConfig()
    {
        Lonely = Role("lonely");
        WithoutAssemblies(Lonely, Companion);
        CommonConfig = ModeConfig.For("auto");
    }

    /// <summary>Runs from a copy of the build output without the companion (files and deps.json entries).</summary>
    public RoleName Lonely { get; }
}

/// <summary>
/// An application shipped without Akka.Transport.Ipc.Cluster that turns <c>down-dead-peers</c> on: a real process
/// (a copy of the test's build output whose directory and dependency manifest lack the companion) creates a
/// cluster-provider ActorSystem, hybrid, with the key on. <c>ActorSystem.Create</c> throws a ConfigurationException
/// naming the key and the missing assembly, which the application catches: a failure on its own terms, not a load
/// error or a crash; the process goes on (its own system terminates cleanly, no unexpected ERROR) and nothing is left
/// in the IPC directory. (Ported from the NodeHost harness's MissingCompanionTests, which ran a trimmed copy of NodeHost.)
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class MissingCompanionSpec : HarnessCheckedSpec
{
    private readonly MissingCompanionConfig _config;

    public MissingCompanionSpec(ITestOutputHelper output) : this(new MissingCompanionConfig(), output)
    {
    }

    private MissingCompanionSpec(MissingCompanionConfig config, ITestOutputHelper output) : base(config, output) => _config = config;

    [MultiNodeFact]
    public void Down_dead_peers_on_without_the_companion_assembly_fails_the_start_naming_the_key()
    {
        RunOn(() =>
        {
            Assert.Throws<FileNotFoundException>(() => System.Reflection.Assembly.Load(MissingCompanionConfig.Companion));
            var config = ClusterNodeConfigs.Cluster(downDeadPeers: "on")
                .WithFallback(ClusterNodeConfigs.Hybrid)
                .WithFallback(Sys.Settings.Config);
            ActorSystem? lonely = null;
            var failure = Record.Exception(() => lonely = ActorSystem.Create("Lonely", config));
            if (lonely is not null)
                Assert.True(lonely.Terminate().Wait(ShutdownLimit), "the system that should not have started did not terminate");
            Assert.NotNull(failure);
            Output!.WriteLine($"the start failed: {failure.GetType().Name}: {failure.Message}");
            var reason = FindConfigurationException(failure);
            Assert.True(reason is not null, $"the start failed with no ConfigurationException: {failure}");
            Assert.Contains($"akka.remote.ipc.down-dead-peers = on needs the {MissingCompanionConfig.Companion} assembly", reason!.Message);
        }, _config.Lonely);
        ShutdownAndVerify(_config.Lonely);
    }

    private static ConfigurationException? FindConfigurationException(Exception e)
    {
        if (e is ConfigurationException found)
            return found;
        if (e is AggregateException aggregate)
            return aggregate.InnerExceptions.Select(FindConfigurationException).FirstOrDefault(f => f is not null);
        return e.InnerException is { } inner ? FindConfigurationException(inner) : null;
    }
}
