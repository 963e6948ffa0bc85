// Build script. Cake is a local tool (.config/dotnet-tools.json), so on a fresh machine:
//   dotnet tool restore && dotnet cake [--target=Build|Test|Pack|Examples|Bench|Clean] [--configuration=Release]
// Default = Build + Test.

var target = Argument("target", "Default");
var configuration = Argument("configuration", "Release");

const string Solution = "./Akka.Transport.Ipc.sln";
const string Benchmarks = "./bench/Akka.Transport.Ipc.Benchmarks/Akka.Transport.Ipc.Benchmarks.csproj";
var artifacts = Directory("./artifacts");
var packages = artifacts + Directory("packages");

Task("Clean")
    .Does(() =>
{
    DotNetClean(Solution, new DotNetCleanSettings { Configuration = configuration });
    CleanDirectory(artifacts);
});

Task("Build")
    .Does(() =>
{
    DotNetBuild(Solution, new DotNetBuildSettings { Configuration = configuration });
});

// The README's test command, on the build above.
Task("Test")
    .IsDependentOn("Build")
    .Does(() =>
{
    DotNetTest(Solution, new DotNetTestSettings { Configuration = configuration, NoBuild = true });
});

// Every shipped project (Akka.Transport.Ipc and each Akka.Transport.Ipc.* beside it that is not a test project: the
// rule Directory.Build.props packs by) as .nupkg + .snupkg in artifacts/packages/, built as CI builds
// (deterministic, normalised source paths). Old packages are removed first. Only those projects are built.
Task("Pack")
    .Does(() =>
{
    CleanDirectory(packages);
    var shipped = GetFiles("./Akka.Transport.Ipc*/Akka.Transport.Ipc*.csproj")
        .Where(p => !p.GetFilenameWithoutExtension().ToString().Contains(".Tests"));
    foreach (var project in shipped)
        DotNetPack(project.FullPath, new DotNetPackSettings
        {
            Configuration = configuration,
            OutputDirectory = packages,
            MSBuildSettings = new DotNetMSBuildSettings().WithProperty("ContinuousIntegrationBuild", "true"),
        });
    var produced = GetFiles($"{packages}/*.nupkg");
    if (produced.Count == 0)
        throw new CakeException($"no package was written to {packages}");
    foreach (var package in produced)
        Information($"packed {package.GetFilename()}");
});

// Short runs of each example; a non-zero exit code (a lost, reordered or late message) fails the build.
// Each run builds just its example (and the library), not the whole solution.
Task("Examples")
    .Does(() =>
{
    void Run(string project, string arguments)
    {
        Information($"{project} {arguments}");
        DotNetRun(project, arguments, new DotNetRunSettings { Configuration = configuration });
    }
    foreach (var mode in new[] { "shm", "fifo" })
        Run("./examples/PingPong/PingPong.csproj", $"--mode {mode} --messages 2000");
    Run("./examples/ProducerConsumer/ProducerConsumer.csproj", "--messages 5000 --producers 4");
    Run("./examples/HostedPingPong/HostedPingPong.csproj", "--messages 2000");
});

Task("Bench")
    .Does(() =>
{
    if (!FileExists(Benchmarks))
        throw new CakeException($"the benchmark project does not exist yet ({Benchmarks})");
    DotNetRun(Benchmarks, Argument("bench-args", ""), new DotNetRunSettings { Configuration = "Release" });
});

Task("Default")
    .IsDependentOn("Build")
    .IsDependentOn("Test");

RunTarget(target);
