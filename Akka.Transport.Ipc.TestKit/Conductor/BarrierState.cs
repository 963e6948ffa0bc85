namespace Akka.Transport.Ipc.TestKit.Conductor;

/// <summary>The barrier roles are waiting at: its name, who arrived (with the id to answer), since when.</summary>
internal sealed class BarrierState
{
    public BarrierState(string name, int number)
    {
        Name = name;
        Number = number;
        Started = DateTime.UtcNow;
    }

    public string Name { get; }

    /// <summary>1 for the run's first barrier, then one more for each: which lives it waits for (<see cref="RoleState.FirstBarrier"/>).</summary>
    public int Number { get; }

    public DateTime Started { get; }

    public Dictionary<RoleState, int> Arrived { get; } = new();

    public string ArrivedNames => Names(Arrived.Keys);

    public static string Names(IEnumerable<RoleState> roles) =>
        roles.Any() ? string.Join(", ", roles.Select(r => r.Name)) : "none";
}
