using Akka.Actor;
using Akka.Configuration;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Mono.Unix.Native;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

public sealed class OtherUserConfig : MultiNodeConfig
{
    public OtherUserConfig()
    {
        Owner = Role("owner");
        Intruder = Role("intruder");
        RunAs(Intruder, OtherUserSpec.User); // its own ActorSystem lives in a directory of that user's
        CommonConfig = ModeConfig.For("shm");
    }

    /// <summary>Runs as the test's user (root); its endpoint listens in the run's shared directory.</summary>
    public RoleName Owner { get; }

    /// <summary>Runs as nobody and tries to start an endpoint in the owner's directory.</summary>
    public RoleName Intruder { get; }
}

/// <summary>
/// A process of another user cannot join the directory: while the owner's endpoint listens, a process running as
/// nobody creates an ActorSystem on the owner's IPC directory, and the start fails with an error naming
/// <c>akka.remote.ipc.directory</c> (no address, no endpoint); clean shutdown, no unexpected ERROR, empty directory.
/// Switching users needs root: elsewhere the kit reports the test skipped (MultiNodeConfig.RunAs). (Ported from the
/// NodeHost harness's OtherUserTests, which ran NodeHost under setpriv.)
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class OtherUserSpec : HarnessCheckedSpec
{
    /// <summary>The other user (the old harness's setpriv target).</summary>
    public const string User = "nobody";

    private readonly OtherUserConfig _config;

    public OtherUserSpec(ITestOutputHelper output) : this(new OtherUserConfig(), output)
    {
    }

    private OtherUserSpec(OtherUserConfig config, ITestOutputHelper output) : base(config, output) => _config = config;

    [MultiNodeFact]
    public void A_process_of_another_user_cannot_join_the_directory()
    {
        EnterBarrier("owner-listening");
        RunOn(() =>
        {
            Assert.Equal(Syscall.getpwnam(User)!.pw_uid, Syscall.getuid());
            // The owner's directory: the kit's shared one, beside this role's own in the run's directory.
            string owners = Path.Combine(Path.GetDirectoryName(IpcDirectory)!, MultiNodeConfig.DefaultIpcDirectory);
            var intruderConfig = ConfigurationFactory.ParseString($"akka.remote.ipc.directory = \"{owners}\"").WithFallback(Sys.Settings.Config);
            ActorSystem? intruder = null;
            var failure = Record.Exception(() => intruder = ActorSystem.Create("Intruder", intruderConfig));
            if (intruder is not null)
            {
                Output!.WriteLine($"the intruder's system started at {((ExtendedActorSystem)intruder).Provider.DefaultAddress}");
                intruder.Terminate().Wait(ShutdownLimit);
            }
            Assert.NotNull(failure);
            Output!.WriteLine($"the intruder's start failed: {failure.GetType().Name}: {failure.Message}");
            Assert.Contains("akka.remote.ipc.directory", failure.ToString());
        }, _config.Intruder);
        EnterBarrier("refused");
        ShutdownAndVerify(_config.Owner);
    }
}
