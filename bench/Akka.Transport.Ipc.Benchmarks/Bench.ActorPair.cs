using System.Globalization;

namespace Akka.Transport.Ipc.Benchmarks;

/// <summary>The two processes of the actor parts (e2e, latency, idle): started, checked and stopped per mode.</summary>
internal sealed partial class Bench
{
    /// <summary>Modes in alternating order, rotated per repetition so no mode always runs first.</summary>
    private IEnumerable<string> RotatedModes(int rep)
    {
        var modes = options.Modes;
        return Enumerable.Range(0, modes.Count).Select(i => modes[(i + rep - 1) % modes.Count]);
    }

    /// <summary>
    /// Starts process B (echo actors) and process A (client with <paramref name="clientArgs"/>), checks from the
    /// kernel's TCP table that their association took the channel the mode promises, runs <paramref name="body"/>,
    /// stops both, and checks the IPC directories are empty afterwards.
    /// </summary>
    private async Task RunActorPairAsync(string part, string mode, int rep, int echoes, string[] clientArgs, Func<Child, Child, Task> body,
        string[]? echoArgs = null)
    {
        string name = $"{part}-{mode}-r{rep}";
        string echoDir = ActorModes.UsesIpcDirectory(mode) ? directories.Create(name) : "";
        // hybrid-remote: A registers in a directory of its own, so B is not co-located as far as A can tell ("another host").
        string clientDir = ActorModes.ClientHasOwnDirectory(mode) ? directories.Create(name + "-A") : echoDir;
        var echoStart = new[] { "--role", "echo", "--mode", mode, "--dir", echoDir, "--echoes", Inv(echoes) }.Concat(echoArgs ?? Array.Empty<string>());
        await using (var echo = Child.Start(name + "-B-echo", echoStart.ToArray()))
        {
            var ready = await echo.ReceiveAsync("ready", StartTimeout);
            string address = ready.GetProperty("address").GetString()!;
            string scheme = ActorModes.Scheme(mode);
            if (!address.StartsWith(scheme, StringComparison.Ordinal))
                throw new InvalidOperationException($"{name}: process B bound {address}, expected an {scheme} address");
            var args = new List<string> { "--role", "client", "--mode", mode, "--dir", clientDir, "--address", address, "--echoes", Inv(echoes),
                "--echo-pid", Inv(ready.GetProperty("pid").GetInt32()) };
            args.AddRange(clientArgs);
            await using (var client = Child.Start(name + "-A-client", args.ToArray()))
            {
                var connected = await client.ReceiveAsync("connected", StartTimeout);
                CheckChannel(name, mode, echo, client, address, connected.GetProperty("address").GetString()!);
                await Child.Guard(body(echo, client), echo);
                await client.StopAsync(StopTimeout);
                ObserveProblems(client);
            }
            await echo.StopAsync(StopTimeout);
            ObserveProblems(echo);
        }
        if (echoDir.Length > 0)
            CheckLeftovers(name, echoDir);
        if (clientDir != echoDir)
            CheckLeftovers(name + "-A", clientDir);
    }

    /// <summary>
    /// Fails the run unless the kernel agrees with the mode: a TCP connection between A and B for tcp and
    /// hybrid-remote, none for the others (so hybrid-local is measured over the shortcut, not silently over TCP).
    /// A has just resolved B's actors, so the association exists.
    /// </summary>
    private static void CheckChannel(string name, string mode, Child echo, Child client, string echoAddress, string clientAddress)
    {
        int[] ports = ActorModes.Scheme(mode) == "akka.tcp://" ? new[] { PortOf(echoAddress), PortOf(clientAddress) } : Array.Empty<int>();
        var connections = TcpConnections.Of(echo.Pid, client.Pid)
            .Where(c => ports.Length == 0 || ports.Contains(c.LocalPort) || ports.Contains(c.RemotePort)).ToList();
        bool expected = ActorModes.ExpectsTcpConnection(mode);
        if (expected != connections.Count > 0)
            throw new InvalidOperationException($"{name}: expected {(expected ? "a" : "no")} TCP connection between A ({clientAddress}, pid {client.Pid}) " +
                $"and B ({echoAddress}, pid {echo.Pid}), the kernel shows {connections.Count}: " +
                string.Join(", ", connections.Select(c => $"pid {c.Pid} {c.LocalPort}->{c.RemotePort}")));
    }

    private static int PortOf(string address) => Akka.Actor.Address.Parse(address).Port
        ?? throw new InvalidOperationException($"{address} has no port");

    private void ObserveProblems(Child child)
    {
        if (child.DescribeProblems() is { } problems)
            report.Observe(problems);
    }

    private void CheckLeftovers(string name, string dir)
    {
        var left = IpcDirectories.Leftovers(dir);
        if (left.Count > 0)
            report.Observe($"{name}: after both processes exited cleanly, left behind: {string.Join(", ", left)}");
        IpcDirectories.Remove(dir);
    }

    private static string Inv(int value) => value.ToString(CultureInfo.InvariantCulture);
}
