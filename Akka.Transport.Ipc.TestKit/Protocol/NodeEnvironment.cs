namespace Akka.Transport.Ipc.TestKit.Protocol;

/// <summary>
/// What the conductor tells a node process at start (<see cref="Life"/>: 0 for a role's first process, then 1, 2…
/// for each <see cref="TestConductor.Restart"/>), as environment variables (so the spec's constructor, deep in
/// user code, can read them without arguments being threaded through).
/// </summary>
internal sealed record NodeEnvironment(
    string ConductorSocket,
    string Role,
    string IpcDirectory,
    string SystemName,
    string SpecAssembly,
    string SpecType,
    string SpecMethod,
    int Life = 0)
{
    public const string ConductorSocketVariable = "AKKA_IPC_MULTINODE_CONDUCTOR";
    public const string RoleVariable = "AKKA_IPC_MULTINODE_ROLE";
    public const string IpcDirectoryVariable = "AKKA_IPC_MULTINODE_DIRECTORY";
    public const string SystemNameVariable = "AKKA_IPC_MULTINODE_SYSTEM";
    public const string SpecAssemblyVariable = "AKKA_IPC_MULTINODE_ASSEMBLY";
    public const string SpecTypeVariable = "AKKA_IPC_MULTINODE_TYPE";
    public const string SpecMethodVariable = "AKKA_IPC_MULTINODE_METHOD";
    public const string LifeVariable = "AKKA_IPC_MULTINODE_LIFE";

    public IEnumerable<KeyValuePair<string, string>> ToVariables()
    {
        yield return new(ConductorSocketVariable, ConductorSocket);
        yield return new(RoleVariable, Role);
        yield return new(IpcDirectoryVariable, IpcDirectory);
        yield return new(SystemNameVariable, SystemName);
        yield return new(SpecAssemblyVariable, SpecAssembly);
        yield return new(SpecTypeVariable, SpecType);
        yield return new(SpecMethodVariable, SpecMethod);
        yield return new(LifeVariable, Life.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The environment of this process, or null when it was not started by the conductor.</summary>
    public static NodeEnvironment? FromProcess()
    {
        string? Get(string name) => Environment.GetEnvironmentVariable(name);
        var socket = Get(ConductorSocketVariable);
        if (string.IsNullOrEmpty(socket))
            return null;
        string Required(string name) => Get(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"A multi-node node process needs the environment variable {name}.");
        return new NodeEnvironment(socket, Required(RoleVariable), Required(IpcDirectoryVariable),
            Required(SystemNameVariable), Required(SpecAssemblyVariable), Required(SpecTypeVariable),
            Required(SpecMethodVariable), int.TryParse(Get(LifeVariable), out int life) ? life : 0);
    }
}
