using System.Text.Json.Nodes;

namespace Akka.Transport.Ipc.TestKit.Conductor;

/// <summary>
/// A copy of a spec's build output without some assemblies (<see cref="MultiNodeConfig.WithoutAssemblies"/>): their
/// files are not copied, and the copy's deps.json lists them nowhere, so the host starts (it refuses an app whose
/// manifest names a missing file) and the application simply does not have them, as one built without them.
/// </summary>
internal static class TrimmedBuildOutput
{
    /// <summary>
    /// Copies the directory of <paramref name="specAssembly"/> (subdirectories too: runtimes/ holds native helpers)
    /// into <paramref name="target"/>, leaving out <paramref name="assemblies"/>; returns the copy's spec assembly.
    /// </summary>
    public static string Create(string specAssembly, IReadOnlyCollection<string> assemblies, string target)
    {
        string source = Path.GetDirectoryName(specAssembly)!;
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            string name = Path.GetFileName(file);
            if (assemblies.Any(a => name == a + ".dll" || name == a + ".pdb" || name == a + ".xml"))
                continue;
            string copy = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
        foreach (var deps in Directory.GetFiles(target, "*.deps.json"))
            RemoveFromManifest(deps, assemblies);
        return Path.Combine(target, Path.GetFileName(specAssembly));
    }

    /// <summary>Removes the assemblies' libraries ("Name/version") and every dependency on them from a deps.json.</summary>
    private static void RemoveFromManifest(string path, IReadOnlyCollection<string> assemblies)
    {
        var deps = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        bool IsRemoved(string library) => assemblies.Any(a => library.StartsWith(a + "/", StringComparison.Ordinal));
        foreach (var (_, target) in deps["targets"]?.AsObject() ?? new JsonObject())
        {
            var libraries = target!.AsObject();
            foreach (var key in libraries.Select(l => l.Key).Where(IsRemoved).ToList())
                libraries.Remove(key);
            foreach (var (_, library) in libraries)
            {
                if (library?["dependencies"] is JsonObject dependencies)
                {
                    foreach (var assembly in assemblies)
                        dependencies.Remove(assembly);
                }
            }
        }
        if (deps["libraries"] is JsonObject all)
        {
            foreach (var key in all.Select(l => l.Key).Where(IsRemoved).ToList())
                all.Remove(key);
        }
        File.WriteAllText(path, deps.ToJsonString());
    }
}
