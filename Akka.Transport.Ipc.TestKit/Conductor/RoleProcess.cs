using System.Diagnostics;
using Akka.Transport.Ipc.TestKit.Protocol;
using Mono.Unix.Native;

namespace Akka.Transport.Ipc.TestKit.Conductor;

/// <summary>
/// One role's OS process: <c>dotnet exec</c> of the kit's node program with the spec assembly's runtimeconfig and
/// deps files, so the node resolves the spec and its dependencies as the test host does. Its stdout and stderr go to
/// the run's output line by line. Owns the process: <see cref="Dispose"/> kills it if still running.
/// </summary>
internal sealed class RoleProcess : IDisposable
{
    private readonly Process _process;

    private RoleProcess(Process process, string role, int life)
    {
        _process = process;
        Role = role;
        Life = life;
        Pid = process.Id;
        Exited = WaitAsync();
    }

    public string Role { get; }

    /// <summary>Which process of the role this is: 0 the first, then one more for each restart.</summary>
    public int Life { get; }

    /// <summary>The role, with the life after '#' when it is not the first (b, b#1, b#2…).</summary>
    public string Label => Life == 0 ? Role : $"{Role}#{Life}";

    public int Pid { get; }

    /// <summary>Completes with the exit code once the process has exited and its output is read to the end.</summary>
    public Task<int> Exited { get; }

    /// <summary>
    /// Starts the role's process; as <paramref name="user"/> (its uid, gid and groups: the runtime switches in the child
    /// before exec, which needs root) when not null.
    /// </summary>
    public static RoleProcess Start(NodeEnvironment environment, RunOutput output, string? user = null)
    {
        string specDirectory = Path.GetDirectoryName(environment.SpecAssembly)!;
        string specName = Path.GetFileNameWithoutExtension(environment.SpecAssembly);
        string runtimeConfig = Path.Combine(specDirectory, specName + ".runtimeconfig.json");
        string deps = Path.Combine(specDirectory, specName + ".deps.json");
        foreach (var file in new[] { runtimeConfig, deps })
        {
            if (!File.Exists(file))
                throw new FileNotFoundException($"{file} is missing: a multi-node spec's assembly must be a test project (Microsoft.NET.Test.Sdk writes it).", file);
        }

        var startInfo = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        // The node program from the spec's directory (a test project's output holds the kit): the host resolves the
        // app's assemblies beside its entry point, so a role run from a trimmed copy must start from the copy.
        string kit = Path.Combine(specDirectory, Path.GetFileName(typeof(RoleProcess).Assembly.Location));
        if (!File.Exists(kit))
            kit = typeof(RoleProcess).Assembly.Location;
        foreach (var argument in new[] { "exec", "--runtimeconfig", runtimeConfig, "--depsfile", deps, kit })
            startInfo.ArgumentList.Add(argument);
        foreach (var (name, value) in environment.ToVariables())
            startInfo.Environment[name] = value;
        if (user is not null)
        {
            startInfo.UserName = user;
            // The other user's home may not exist or not be writable (nobody's is /nonexistent): the host writes there.
            startInfo.Environment["DOTNET_CLI_HOME"] = Path.GetTempPath();
        }

        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                output.Role(environment.Role, e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                output.Role(environment.Role, e.Data);
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new RoleProcess(process, environment.Role, environment.Life);
    }

    /// <summary>Sends <paramref name="signal"/>; false when the process is already gone.</summary>
    public bool Signal(Signum signal) => !_process.HasExited && Syscall.kill(Pid, signal) == 0;

    /// <summary>The process state letter from /proc (R, S, D, T…), or null once it is gone.</summary>
    public char? State
    {
        get
        {
            try
            {
                string stat = File.ReadAllText($"/proc/{Pid}/stat");
                return stat[stat.LastIndexOf(')') + 2];
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }
    }

    /// <summary>Waits until the process state satisfies <paramref name="condition"/> (or it is gone).</summary>
    public async Task<bool> WaitForStateAsync(Func<char, bool> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (State is not { } state)
                return false;
            if (condition(state))
                return true;
            await Task.Delay(5).ConfigureAwait(false);
        }
        return false;
    }

    private async Task<int> WaitAsync()
    {
        await _process.WaitForExitAsync().ConfigureAwait(false);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            Syscall.kill(Pid, Signum.SIGKILL);
        _process.WaitForExit(10_000);
        _process.Dispose();
    }

    /// <summary>
    /// The dotnet muxer: DOTNET_HOST_PATH (set by `dotnet test`), else this process when it is dotnet, else `dotnet`.
    /// </summary>
    private static string DotnetHost
    {
        get
        {
            var fromEnvironment = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(fromEnvironment) && File.Exists(fromEnvironment))
                return fromEnvironment;
            var self = Environment.ProcessPath;
            return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        }
    }
}
