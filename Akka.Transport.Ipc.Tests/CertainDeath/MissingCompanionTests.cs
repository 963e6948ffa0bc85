using System.Diagnostics;
using System.Text.Json.Nodes;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Akka.Transport.Ipc.Tests.NodeHost;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.CertainDeath;

/// <summary>
/// An application shipped without Akka.Transport.Ipc.Cluster that turns <c>down-dead-peers</c> on: a real process
/// (a copy of NodeHost whose directory and dependency manifest lack the companion) creates a cluster-provider
/// ActorSystem with the key on (<c>--kind hybrid --cluster on --down-dead-peers on</c>). <c>ActorSystem.Create</c>
/// throws an error naming the key, which the host catches: it reports the start failure and exits with its own
/// start-failure code (1) on its own terms, not by a crash, leaving nothing in the IPC directory.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class MissingCompanionTests(ITestOutputHelper output) : IDisposable
{
    private const string Companion = "Akka.Transport.Ipc.Cluster";
    private const int StartFailureExitCode = 1; // NodeHost's Program: "1 start failure"
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly IpcTestDirectory _directory = new();
    private readonly string _copy = Directory.CreateTempSubdirectory("nodehost-without-companion-").FullName;

    [Fact]
    public async Task Down_dead_peers_on_without_the_companion_assembly_fails_the_start_naming_the_key()
    {
        string host = CopyNodeHostWithoutCompanion();
        Assert.False(File.Exists(Path.Combine(_copy, Companion + ".dll")));
        var startInfo = new ProcessStartInfo(NodeHostLocator.DotnetHost)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(host);
        var options = new NodeOptions(_directory.Path, 0, "Lonely", "1MiB", "128000b", "auto",
            Kind: NodeKinds.Hybrid, Cluster: true, DownDeadPeers: "on");
        foreach (var argument in options.ToArguments())
            startInfo.ArgumentList.Add(argument);
        using var process = Process.Start(startInfo)!;
        try
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(Timeout);
            string outText = await stdout.WaitAsync(Timeout), errText = await stderr.WaitAsync(Timeout);
            output.WriteLine(outText);
            output.WriteLine(errText);
            Assert.DoesNotContain("ADDRESS ", outText);
            Assert.DoesNotContain(ErrorReporter.UnexpectedMarker, outText);
            Assert.Contains("FAILED to start the ActorSystem", errText);
            Assert.Contains($"akka.remote.ipc.down-dead-peers = on needs the {Companion} assembly", errText);
            Assert.Equal(StartFailureExitCode, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
        _directory.AssertEmpty();
    }

    /// <summary>NodeHost's build output without the companion: its files gone and its entries out of the deps.json.</summary>
    private string CopyNodeHostWithoutCompanion()
    {
        string source = Path.GetDirectoryName(NodeHostLocator.NodeHostAssembly)!;
        string name = Path.GetFileNameWithoutExtension(NodeHostLocator.NodeHostAssembly);
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories)) // runtimes/: Mono.Posix's native helper
        {
            if (Path.GetFileName(file).StartsWith(Companion + ".", StringComparison.Ordinal))
                continue;
            string target = Path.Combine(_copy, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        string depsPath = Path.Combine(_copy, name + ".deps.json");
        var deps = JsonNode.Parse(File.ReadAllText(depsPath))!.AsObject();
        foreach (var (_, target) in deps["targets"]!.AsObject())
        {
            var libraries = target!.AsObject();
            foreach (var key in libraries.Select(l => l.Key).Where(k => k.StartsWith(Companion + "/", StringComparison.Ordinal)).ToList())
                libraries.Remove(key);
            foreach (var (_, library) in libraries)
                (library?["dependencies"] as JsonObject)?.Remove(Companion);
        }
        var all = deps["libraries"]!.AsObject();
        foreach (var key in all.Select(l => l.Key).Where(k => k.StartsWith(Companion + "/", StringComparison.Ordinal)).ToList())
            all.Remove(key);
        File.WriteAllText(depsPath, deps.ToJsonString());
        return Path.Combine(_copy, name + ".dll");
    }

    public void Dispose()
    {
        Cleanup.RunAll(_directory.Dispose, () => Directory.Delete(_copy, recursive: true), LeakGuard.AssertNoNodeHostChildren);
    }
}
