namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>
/// Finds an example program's built dll (examples/&lt;name&gt;/bin/&lt;configuration&gt;/&lt;tfm&gt;/&lt;name&gt;.dll), built with the
/// same configuration and target framework as these tests: the test project references the examples with
/// ReferenceOutputAssembly=false, which builds them first without copying anything here.
/// </summary>
public static class ExampleLocator
{
    public static string Assembly(string name)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string framework = testOutput.Name;
        string configuration = testOutput.Parent!.Name;
        var root = testOutput;
        while (root != null && !File.Exists(Path.Combine(root.FullName, "Akka.Transport.Ipc.sln")))
            root = root.Parent;
        if (root == null)
            throw new DirectoryNotFoundException($"No Akka.Transport.Ipc.sln above {testOutput.FullName}");
        string dll = Path.Combine(root.FullName, "examples", name, "bin", configuration, framework, name + ".dll");
        if (!File.Exists(dll) || !File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json")))
            throw new FileNotFoundException($"{dll} (with its runtimeconfig.json) is missing: build examples/{name}", dll);
        return dll;
    }
}
