using System.Text.RegularExpressions;
using Akka.Configuration;

namespace Akka.Transport.Ipc.TestKit;

/// <summary>
/// The roles of a multi-node spec and their configuration, as in Akka.Remote.TestKit: derive from it, declare roles
/// with <see cref="Role"/> in the constructor, set <see cref="CommonConfig"/> and per-role configuration with
/// <see cref="NodeConfig"/>. The kit constructs it in the test process (to learn the roles) and in every node
/// process, so the constructor must be deterministic and must not start anything.
/// </summary>
/// <remarks>
/// A node's configuration, highest priority first: what the kit must set (the IPC directory of the run, port 0, the
/// throttler adapter when <see cref="TestTransport"/>), the role's <see cref="NodeConfig"/>, <see cref="CommonConfig"/>,
/// the kit's defaults (<c>akka.actor.provider = remote</c>, <c>akka.remote.enabled-transports = ["akka.remote.ipc"]</c>)
/// and Akka.TestKit's reference configuration.
/// </remarks>
public abstract partial class MultiNodeConfig
{
    private readonly List<RoleName> _roles = new();
    private readonly Dictionary<RoleName, Config> _nodeConfigs = new();
    private readonly Dictionary<RoleName, string> _ipcDirectories = new();
    private readonly Dictionary<RoleName, string> _users = new();
    private readonly Dictionary<RoleName, IReadOnlyList<string>> _withoutAssemblies = new();

    /// <summary>The name of the IPC directory every role uses unless <see cref="SeparateIpcDirectory"/> says otherwise.</summary>
    public const string DefaultIpcDirectory = "ipc";

    /// <summary>Configuration every role gets (below its <see cref="NodeConfig"/>).</summary>
    public Config CommonConfig { get; protected set; } = Config.Empty;

    /// <summary>
    /// When true, Akka.Remote's throttler adapter (<c>trttl</c>) is applied over the IPC transport, so that
    /// <see cref="TestConductor.Blackhole"/>, <see cref="TestConductor.PassThrough"/> and
    /// <see cref="TestConductor.Throttle"/> work. Addresses then read <c>akka.trttl.ipc://…</c>.
    /// </summary>
    public bool TestTransport { get; protected set; }

    /// <summary>
    /// How long a barrier waits for the roles still running, from the first arrival, before it fails naming the
    /// roles that never came. Default 30 s (<c>akka.testconductor.barrier-timeout</c> in Akka.Remote.TestKit).
    /// </summary>
    public TimeSpan BarrierTimeout { get; protected set; } = TimeSpan.FromSeconds(30);

    /// <summary>The roles, in declaration order.</summary>
    public IReadOnlyList<RoleName> Roles => _roles;

    /// <summary>Declares a role; names are unique, made of letters, digits, '-' and '_'.</summary>
    protected RoleName Role(string name)
    {
        if (!RoleNamePattern().IsMatch(name))
            throw new ArgumentException($"Role name '{name}' is not valid: use letters, digits, '-' and '_'.", nameof(name));
        if (_roles.Any(r => r.Name == name))
            throw new ArgumentException($"Role '{name}' is declared twice.", nameof(name));
        var role = new RoleName(name);
        _roles.Add(role);
        return role;
    }

    /// <summary>Adds configuration for the given roles (above <see cref="CommonConfig"/>); later calls take priority.</summary>
    protected void NodeConfig(IEnumerable<RoleName> roles, IEnumerable<Config> configs)
    {
        var combined = configs.Aggregate(Config.Empty, (acc, c) => c.WithFallback(acc));
        foreach (var role in roles)
        {
            _nodeConfigs[role] = _nodeConfigs.TryGetValue(role, out var existing)
                ? combined.WithFallback(existing)
                : combined;
        }
    }

    /// <summary>
    /// Puts <paramref name="roles"/> in an IPC directory of their own, <paramref name="name"/>, inside the run's
    /// directory (the other roles share <see cref="DefaultIpcDirectory"/>). Endpoints in different directories cannot
    /// reach each other over IPC: with the hybrid transport (<c>akka.remote.ipc.network-transport</c>) this is how a
    /// spec models roles on other hosts.
    /// </summary>
    protected void SeparateIpcDirectory(string name, params RoleName[] roles)
    {
        if (!RoleNamePattern().IsMatch(name) || name == DefaultIpcDirectory)
            throw new ArgumentException($"IPC directory name '{name}' is not valid: use letters, digits, '-' and '_', not '{DefaultIpcDirectory}'.", nameof(name));
        foreach (var role in roles)
            _ipcDirectories[role] = name;
    }

    /// <summary>
    /// Runs <paramref name="role"/>'s process as the local user <paramref name="user"/> (that user's uid, primary group
    /// and supplementary groups) instead of the test process's user: for specs of what another user's process can and
    /// cannot do. Switching users needs root: in a run that is not root the kit starts no role and reports the test
    /// skipped, naming the role and the user. The role gets an IPC directory of its own, owned by that user (the
    /// transport refuses a directory another user owns): <c>as-&lt;user&gt;</c>, or the one
    /// <see cref="SeparateIpcDirectory"/> names, which no role of another user may share. So that the role can reach the
    /// conductor, the run's directory becomes traversable by everyone but not listable (0711; its name is random) and
    /// the conductor's socket connectable by everyone (0666); the spec's build output must be readable by that user.
    /// </summary>
    protected void RunAs(RoleName role, string user)
    {
        if (!RoleNamePattern().IsMatch(user))
            throw new ArgumentException($"User name '{user}' is not valid: use letters, digits, '-' and '_'.", nameof(user));
        _users[role] = user;
    }

    /// <summary>The user <paramref name="role"/>'s process runs as (<see cref="RunAs"/>), or null: the test process's user.</summary>
    public string? UserOf(RoleName role) => _users.TryGetValue(role, out var user) ? user : null;

    /// <summary>
    /// Runs <paramref name="role"/>'s process from a copy of the spec's build output without the assemblies named
    /// <paramref name="assemblyNames"/> (simple names, e.g. <c>Akka.Transport.Ipc.Cluster</c>): their files
    /// (<c>.dll</c>, <c>.pdb</c>, <c>.xml</c>) are left out of the copy and its deps.json lists them nowhere, neither as
    /// libraries nor as anyone's dependency, as if the application had been built without them. For specs of how an
    /// application behaves when an optional assembly is missing. The copy is made in the run's directory and removed
    /// with it. The spec class and what the role runs must not need the removed assemblies.
    /// </summary>
    protected void WithoutAssemblies(RoleName role, params string[] assemblyNames)
    {
        if (assemblyNames.Length == 0 || assemblyNames.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException("Name at least one assembly, by its simple name.", nameof(assemblyNames));
        _withoutAssemblies[role] = assemblyNames;
    }

    /// <summary>The assemblies <paramref name="role"/>'s copy of the build output leaves out (<see cref="WithoutAssemblies"/>); empty when it runs from the build output itself.</summary>
    public IReadOnlyList<string> AssembliesLeftOut(RoleName role) =>
        _withoutAssemblies.TryGetValue(role, out var names) ? names : Array.Empty<string>();

    /// <summary>The name of the IPC directory <paramref name="role"/> uses.</summary>
    public string IpcDirectoryOf(RoleName role) =>
        _ipcDirectories.TryGetValue(role, out var name) ? name
        : _users.TryGetValue(role, out var user) ? "as-" + user
        : DefaultIpcDirectory;

    /// <summary>The role-specific configuration of <paramref name="role"/> (empty when none was given).</summary>
    public Config ConfigOf(RoleName role) => _nodeConfigs.TryGetValue(role, out var config) ? config : Config.Empty;

    internal RoleName RoleNamed(string name) =>
        _roles.FirstOrDefault(r => r.Name == name)
        ?? throw new InvalidOperationException($"The spec's config has no role '{name}'; roles: {string.Join(", ", _roles.Select(r => r.Name))}.");

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex RoleNamePattern();
}
