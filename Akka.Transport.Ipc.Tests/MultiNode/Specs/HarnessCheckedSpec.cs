using Akka.Actor;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

/// <summary>
/// A multi-node spec with the end-of-test checks of the NodeHost harness it replaces: every ERROR its ActorSystem
/// logs fails it unless allowed (<see cref="Errors"/>, Akka.Remote's own baseline noise aside), and
/// <see cref="ShutdownAndVerify"/> ends the run the way production ends: every role still running terminates its
/// system, none logged an unexpected ERROR (shutdown included), and only then is the shared IPC directory asserted
/// empty.
/// </summary>
public abstract class HarnessCheckedSpec : MultiNodeSpec
{
    /// <summary>How long a role's ActorSystem gets to terminate (the harness's limit).</summary>
    protected static readonly TimeSpan ShutdownLimit = TimeSpan.FromSeconds(60);

    /// <inheritdoc cref="MultiNodeSpec(MultiNodeConfig, ITestOutputHelper)"/>
    protected HarnessCheckedSpec(MultiNodeConfig config, ITestOutputHelper? output) : base(config, output) =>
        Errors = ErrorLogCollector.Install(Sys);

    /// <summary>ERROR events of this role's system; <see cref="ErrorLogCollector.Allow"/> those a spec provokes.</summary>
    protected ErrorLogCollector Errors { get; }

    /// <summary>The IPC directory this role's endpoint lives in (private to the run).</summary>
    protected string IpcDirectory => Sys.Settings.Config.GetString("akka.remote.ipc.directory");

    /// <summary>This role's own address.</summary>
    protected Address SelfAddress => ((ExtendedActorSystem)Sys).Provider.DefaultAddress;

    /// <summary>
    /// Every role still running terminates its ActorSystem within <see cref="ShutdownLimit"/> and asserts it logged no
    /// unexpected ERROR; once all have, <paramref name="checker"/> asserts nothing is left of the IPC directory
    /// (<see cref="IpcDirectoryLeftovers"/>). Roles killed on purpose must have been swept by a later endpoint first.
    /// </summary>
    protected void ShutdownAndVerify(RoleName checker)
    {
        EnterBarrier("harness-shutdown");
        Assert.True(Sys.Terminate().Wait(ShutdownLimit), $"{Myself.Name}'s ActorSystem did not terminate within {ShutdownLimit}");
        Errors.AssertNoUnexpectedErrors();
        EnterBarrier("harness-terminated");
        RunOn(() => IpcDirectoryLeftovers.AssertNone(IpcDirectory), checker);
    }

    /// <summary>
    /// Starts and terminates one more endpoint in the shared directory (another ActorSystem in this process, as a
    /// newly started node would): its start removes what killed endpoints left.
    /// </summary>
    protected void SweepWithNewEndpoint()
    {
        var sweeper = ActorSystem.Create("Sweeper", Sys.Settings.Config);
        var errors = ErrorLogCollector.Install(sweeper);
        Assert.True(sweeper.Terminate().Wait(ShutdownLimit), "the sweeping endpoint did not terminate");
        errors.AssertNoUnexpectedErrors();
    }
}
