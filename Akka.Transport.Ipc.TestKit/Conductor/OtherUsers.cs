using Mono.Unix.Native;

namespace Akka.Transport.Ipc.TestKit.Conductor;

/// <summary>
/// The roles of a run that run as another user (<see cref="MultiNodeConfig.RunAs"/>): whether this run can start them
/// (it must be root), that no IPC directory is shared by roles of different users, and what the run's files must allow
/// so that those roles can reach the conductor and own their IPC directory.
/// </summary>
internal static class OtherUsers
{
    /// <summary>Why the run cannot start its other-user roles (it is not root), or null when it can or has none.</summary>
    public static string? WhyNotRunnable(MultiNodeConfig config)
    {
        var role = config.Roles.FirstOrDefault(r => config.UserOf(r) is not null);
        if (role is null || Syscall.geteuid() == 0)
            return null;
        return $"role {role.Name} runs as user {config.UserOf(role)} (MultiNodeConfig.RunAs), which needs root; this run is uid {Syscall.geteuid()}";
    }

    /// <summary>Fails when roles of different users share an IPC directory (the transport would refuse it to one of them).</summary>
    public static void CheckDirectories(MultiNodeConfig config)
    {
        foreach (var directory in config.Roles.GroupBy(config.IpcDirectoryOf))
        {
            var users = directory.Select(r => config.UserOf(r) ?? "(the test's user)").Distinct().ToList();
            if (users.Count > 1)
                throw new InvalidOperationException($"IPC directory '{directory.Key}' is shared by roles of different users ({string.Join(", ", users)}): "
                    + "give a role that runs as another user a directory of its own (SeparateIpcDirectory).");
        }
    }

    /// <summary>
    /// Opens the run to its other-user roles: the run directory traversable but not listable (0711), the conductor's
    /// socket connectable (0666, connecting needs write permission), and each such role's IPC directory owned by its user.
    /// </summary>
    public static void OpenRun(MultiNodeConfig config, string runDirectory, IReadOnlyDictionary<string, string> ipcDirectories, string socket)
    {
        var others = config.Roles.Where(r => config.UserOf(r) is not null).ToList();
        if (others.Count == 0)
            return;
        File.SetUnixFileMode(runDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(socket, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
        foreach (var role in others)
        {
            string user = config.UserOf(role)!;
            var account = Syscall.getpwnam(user) ?? throw new InvalidOperationException($"role {role.Name} runs as user '{user}', who does not exist here.");
            string directory = ipcDirectories[config.IpcDirectoryOf(role)];
            if (Syscall.chown(directory, account.pw_uid, account.pw_gid) != 0)
                throw new InvalidOperationException($"could not give {directory} to user {user}: {Stdlib.GetLastError()}");
        }
    }
}
