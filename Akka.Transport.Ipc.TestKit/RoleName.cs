namespace Akka.Transport.Ipc.TestKit;

/// <summary>
/// A role of a multi-node spec: one OS process per role runs the spec. Made by <see cref="MultiNodeConfig.Role"/>;
/// compared by name.
/// </summary>
public sealed class RoleName : IEquatable<RoleName>
{
    internal RoleName(string name) => Name = name;

    /// <summary>The role's name, as given to <see cref="MultiNodeConfig.Role"/>.</summary>
    public string Name { get; }

    public bool Equals(RoleName? other) => other is not null && other.Name == Name;

    public override bool Equals(object? obj) => Equals(obj as RoleName);

    public override int GetHashCode() => Name.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => $"RoleName({Name})";

    public static bool operator ==(RoleName? left, RoleName? right) => Equals(left, right);

    public static bool operator !=(RoleName? left, RoleName? right) => !Equals(left, right);
}
