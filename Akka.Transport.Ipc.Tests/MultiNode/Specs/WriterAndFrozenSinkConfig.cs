using Akka.Configuration;
using Akka.Transport.Ipc.TestKit;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

/// <summary>
/// Two roles over one mode with 64 KiB rings (so a frozen reader's ring fills quickly): a writer that writes through
/// its own bare transport, and a raw sink that is frozen (and, in some specs, killed). Shared by
/// <see cref="FrozenPeerBackPressureSpec"/> and <see cref="AkkaIpcToolSpec"/>.
/// </summary>
public sealed class WriterAndFrozenSinkConfig : MultiNodeConfig
{
    public WriterAndFrozenSinkConfig(string mode)
    {
        Mode = mode;
        Writer = Role("writer");
        Frozen = Role("frozen");
        CommonConfig = ConfigurationFactory.ParseString("akka.remote.ipc.ring-size = 64KiB").WithFallback(ModeConfig.For(mode));
    }

    public string Mode { get; }

    /// <summary>Writes through its own bare transport (and, in the tool's spec, runs the tool).</summary>
    public RoleName Writer { get; }

    /// <summary>Runs the raw sink (a bare transport beside its remoting) the writer writes to; frozen.</summary>
    public RoleName Frozen { get; }
}
