namespace Akka.Transport.Ipc.Benchmarks;

/// <summary>
/// The modes of the actor parts (e2e, latency, idle) and what each one promises: the address scheme process B must
/// bind, the IPC directories of the two processes, whether the association between them must be a TCP connection,
/// and the mode it is compared with.
/// </summary>
/// <remarks>
/// The two hybrid modes run the transport with <c>network-transport = "akka.remote.dot-netty.tcp"</c>, so both nodes
/// have akka.tcp addresses. <c>hybrid-local</c>: both processes share one IPC directory, so the association takes
/// the shared-memory shortcut and is compared with <c>ipc-shm</c>. <c>hybrid-remote</c>: each process has its own
/// directory (as if on another host), so the association runs over dot-netty and is compared with plain <c>tcp</c>.
/// </remarks>
internal static class ActorModes
{
    public const string IpcShm = "ipc-shm";
    public const string IpcFifo = "ipc-fifo";
    public const string Tcp = "tcp";
    public const string HybridLocal = "hybrid-local";
    public const string HybridRemote = "hybrid-remote";

    /// <summary>ipc-shm with <c>receiver-poll-time = 1ms</c>: the receiver stays awake across gaps shorter than that.</summary>
    public const string IpcShmPolling = "ipc-shm-poll";

    /// <summary>
    /// ipc-shm with <c>receiver-profile = on</c>: the scale part's extra mesh runs that split the receiver thread's CPU
    /// by phase (not a --modes choice: the profile's clock reads cost a little per round).
    /// </summary>
    public const string IpcShmProfiled = "ipc-shm-profiled";

    /// <summary>The <c>receiver-poll-time</c> of <see cref="IpcShmPolling"/>.</summary>
    public const string PollTime = "1ms";

    /// <summary>Every mode, in table order.</summary>
    public static readonly string[] All = { IpcShm, IpcFifo, Tcp, HybridLocal, HybridRemote };

    /// <summary>What --quick runs when --modes is not given: the hybrid modes would double its e2e and latency time.</summary>
    public static readonly string[] QuickDefault = { IpcShm, IpcFifo, Tcp };

    /// <summary>Modes run only when --modes names them (a setting's effect, not a product path of its own).</summary>
    public static readonly string[] Optional = { IpcShmPolling };

    /// <summary>Every mode --modes accepts, in table order.</summary>
    public static readonly string[] Known = [.. All, .. Optional];

    /// <summary>Whether the association runs over shared memory (the meter then counts receiver wake-ups).</summary>
    public static bool IsShm(string mode) => mode is IpcShm or HybridLocal or IpcShmPolling or IpcShmProfiled;

    public static bool IsHybrid(string mode) => mode is HybridLocal or HybridRemote;

    /// <summary>Whether the processes need an IPC directory (everything but plain tcp).</summary>
    public static bool UsesIpcDirectory(string mode) => mode != Tcp;

    /// <summary>Whether process A (the client) gets a directory of its own instead of sharing process B's.</summary>
    public static bool ClientHasOwnDirectory(string mode) => mode == HybridRemote;

    /// <summary>The scheme of the address process B must bind.</summary>
    public static string Scheme(string mode) => mode is Tcp or HybridLocal or HybridRemote ? "akka.tcp://" : "akka.ipc://";

    /// <summary>Whether the kernel must show a TCP connection between the two processes (else there must be none).</summary>
    public static bool ExpectsTcpConnection(string mode) => mode is Tcp or HybridRemote;

    /// <summary>The mode this one is compared with in the tables: tcp for IPC, the path it takes for hybrid; null for tcp.</summary>
    public static string? Baseline(string mode) => mode switch
    {
        IpcShm or IpcFifo or IpcShmPolling or IpcShmProfiled => Tcp,
        HybridLocal => IpcShm,
        HybridRemote => Tcp,
        _ => null,
    };

    /// <summary>The target for a hybrid mode: the lowest acceptable throughput ratio to its baseline.</summary>
    public static double TargetRatio(string mode) => mode switch
    {
        HybridLocal => 0.90,
        HybridRemote => 0.95,
        _ => double.NaN,
    };
}
