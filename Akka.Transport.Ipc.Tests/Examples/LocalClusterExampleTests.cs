using System.Diagnostics;
using System.Text.RegularExpressions;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Mono.Unix.Native;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Examples;

/// <summary>
/// examples/LocalCluster, run as a user runs it: one command starts three co-located hybrid cluster nodes and one
/// "remote" node as child processes, shows each association's channel from the kernel's view, kills a co-located node
/// and measures its removal, with down-dead-peers off and then on; it exits 0, and nothing of it is left afterwards —
/// no process, no file, no semaphore — also when it is stopped with Ctrl+C (SIGINT) half-way.
/// </summary>
public sealed partial class LocalClusterExampleTests(ITestOutputHelper output) : IDisposable
{
    private const string Example = "LocalCluster";
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(4);
    private readonly IpcTestDirectory _directory = new();
    private Process? _process;

    [Fact]
    public async Task One_command_forms_the_cluster_over_shared_memory_and_tcp_measures_removal_in_both_rounds_and_leaves_nothing()
    {
        var (exitCode, stdout, stderr) = await RunAsync(stopAfterLine: null);

        Assert.True(exitCode == 0, $"exit code {exitCode}: {stderr}");
        foreach (string round in new[] { "off", "on" })
        {
            string section = Section(stdout, $"== down-dead-peers = {round} ==");
            // Every pair of the four nodes, as the kernel sees it: co-located pairs share a segment, the remote node is TCP.
            var channels = ChannelLine().Matches(section).ToDictionary(m => $"{m.Groups[1].Value}-{m.Groups[2].Value}", m => m.Groups[3].Value);
            Assert.Equal(6, channels.Count);
            foreach (var (pair, channel) in channels)
                Assert.Equal(pair.Contains("remote", StringComparison.Ordinal) ? "TCP" : "shared memory", channel);
            Assert.Matches(@"node2 removed from the cluster \d+\.\d\d s after SIGKILL", section);
        }
        var removal = RemovalLine().Matches(Section(stdout, "== summary ==")).ToDictionary(m => m.Groups[1].Value, m => double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(new[] { "off", "on" }, removal.Keys.Order());
        // Downing the certainly dead node at once beats failure detection plus stable-after (2 s); a generous bound.
        Assert.True(removal["on"] < removal["off"], $"down-dead-peers = on took {removal["on"]} s, off {removal["off"]} s");
        Assert.Contains("OK:", stdout);
        AssertNothingLeft(stdout);
    }

    [Fact]
    public async Task Ctrl_C_half_way_stops_every_node_and_leaves_nothing()
    {
        var (exitCode, stdout, stderr) = await RunAsync(stopAfterLine: "  cluster formed");

        Assert.Equal(1, exitCode);
        Assert.Contains("FAILED: stopped by SIGINT", stderr);
        AssertNothingLeft(stdout);
    }

    /// <summary>
    /// Builds the example (the test project does not reference it), runs it with its IPC root in this test's directory
    /// and returns its exit code and output; with <paramref name="stopAfterLine"/>, sends SIGINT to it (only to it, not
    /// to its children: it must stop them itself) once it printed a line starting so.
    /// </summary>
    private async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string? stopAfterLine)
    {
        await BuildExampleAsync();
        var start = new ProcessStartInfo(DotnetHost.Path)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var arg in new[] { ExampleLocator.Assembly(Example), "--directory", _directory.Path })
            start.ArgumentList.Add(arg);
        _process = Process.Start(start)!;
        var stderr = _process.StandardError.ReadToEndAsync();
        var stdout = new List<string>();
        using var timeout = new CancellationTokenSource(RunTimeout);
        while (await _process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            stdout.Add(line);
            output.WriteLine(line);
            if (stopAfterLine != null && line.StartsWith(stopAfterLine, StringComparison.Ordinal))
                Assert.Equal(0, Syscall.kill(_process.Id, Signum.SIGINT));
        }
        await _process.WaitForExitAsync(timeout.Token);
        string errors = await stderr;
        output.WriteLine(errors);
        return (_process.ExitCode, string.Join('\n', stdout), errors);
    }

    /// <summary>No process whose command line names this test's directory, and nothing in it or among its semaphores.</summary>
    private void AssertNothingLeft(string stdout)
    {
        var running = Directory.EnumerateDirectories("/proc")
            .Where(d => int.TryParse(Path.GetFileName(d), out int pid) && pid != Environment.ProcessId)
            .Select(d => (Pid: Path.GetFileName(d), CommandLine: ReadCommandLine(d)))
            .Where(p => p.CommandLine.Contains(_directory.Path, StringComparison.Ordinal))
            .ToList();
        Assert.True(running.Count == 0, "still running: " + string.Join("; ", running.Select(p => $"{p.Pid}: {p.CommandLine}")));

        // The example's IPC directories (named in its output) are gone, and so are the semaphores derived from their paths.
        var directories = IpcDirectoryLine().Matches(stdout).Select(m => m.Groups[1].Value.Trim()).Distinct().ToList();
        Assert.NotEmpty(directories);
        foreach (var directory in directories)
        {
            Assert.StartsWith(_directory.Path, directory);
            Assert.False(Directory.Exists(directory), $"{directory} is left");
            string prefix = "sem." + new ChannelNames(directory).SemaphorePrefix.TrimStart('/');
            Assert.Empty(Directory.EnumerateFiles("/dev/shm", prefix + "*"));
        }
        _directory.AssertEmpty();
    }

    private static string ReadCommandLine(string procDirectory)
    {
        try { return File.ReadAllText(Path.Combine(procDirectory, "cmdline")).Replace('\0', ' '); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; } // exited meanwhile
    }

    /// <summary>The lines from <paramref name="header"/> to the next "== " header.</summary>
    private static string Section(string stdout, string header)
    {
        int start = stdout.IndexOf(header, StringComparison.Ordinal);
        Assert.True(start >= 0, $"no '{header}' in the output");
        int end = stdout.IndexOf("\n== ", start + header.Length, StringComparison.Ordinal);
        return end < 0 ? stdout[start..] : stdout[start..end];
    }

    /// <summary>`dotnet build` of the example, in the configuration these tests were built in (a no-op when it is up to date).</summary>
    private async Task BuildExampleAsync()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var root = testOutput;
        while (root != null && !File.Exists(Path.Combine(root.FullName, "Akka.Transport.Ipc.sln")))
            root = root.Parent;
        Assert.NotNull(root);
        var build = new ProcessStartInfo(DotnetHost.Path)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var arg in new[] { "build", Path.Combine(root.FullName, "examples", Example, Example + ".csproj"), "-c", testOutput.Parent!.Name, "-nologo", "-v", "q",
                     "--disable-build-servers" }) // no compiler or MSBuild server left running after the test
            build.ArgumentList.Add(arg);
        using var process = Process.Start(build)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(BuildTimeout);
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"building examples/{Example} failed: {await stdout}{await stderr}");
    }

    [GeneratedRegex(@"^\s+(\S+)\s+<->\s+(\S+)\s+(shared memory|TCP) ", RegexOptions.Multiline)]
    private static partial Regex ChannelLine();

    [GeneratedRegex(@"down-dead-peers = (on|off)\s*: node2 removed (\d+\.\d+) s after SIGKILL")]
    private static partial Regex RemovalLine();

    [GeneratedRegex(@"IPC directory (\S+)")]
    private static partial Regex IpcDirectoryLine();

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process?.Dispose();
        _directory.Dispose();
    }
}
