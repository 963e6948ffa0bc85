using System.Diagnostics;
using Examples.Shared;

namespace LocalCluster;

/// <summary>
/// The process the user starts: runs the round with down-dead-peers off, then on, prints the removal times, and
/// stops every node and removes every IPC file on every path (success, failure, Ctrl+C, SIGTERM).
/// Exit code 0 only if every round went as expected and nothing was left behind.
/// </summary>
internal static class Orchestrator
{
    public static async Task<int> RunAsync(Options options)
    {
        using var cancel = new CancellationTokenSource();
        string? stoppedBy = null;
        StopSignals.OnStop(reason =>
        {
            stoppedBy = reason;
            cancel.Cancel();
        });
        var clock = Stopwatch.StartNew();
        var directories = new RunDirectories(options.Directory);
        var results = new List<Scenario.Result>();
        string? error = null;
        Console.WriteLine($"LocalCluster: 3 co-located nodes and 1 'remote' node, each a child process, hybrid (akka.tcp on 127.0.0.1, " +
            $"network-transport = dot-netty), one Akka.Cluster (split-brain resolver keep-majority, stable-after 2s); IPC directories under {directories.Root}");
        foreach (bool downDeadPeers in new[] { false, true })
        {
            Console.WriteLine();
            Console.WriteLine($"== down-dead-peers = {(downDeadPeers ? "on" : "off")} ==");
            var nodes = new List<NodeProcess>();
            try
            {
                string round = downDeadPeers ? "on" : "off";
                var scenario = new Scenario(options, clock, cancel.Token);
                results.Add(await scenario.RunAsync(downDeadPeers, directories.Create(round + "-local"), directories.Create(round + "-remote"), nodes));
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                error = stoppedBy ?? "cancelled";
            }
            catch (InvalidOperationException e)
            {
                // Ctrl+C in a terminal reaches the nodes too (one process group): they stop, and the wait for them
                // fails; the signal is the reason then, not their exit.
                error = cancel.IsCancellationRequested ? stoppedBy : e.Message;
            }
            finally
            {
                StopAll(nodes, ref error);
            }
            if (error != null)
                break;
        }

        var left = await directories.SweepAsync();
        if (left.Count > 0)
            error ??= $"left behind in {directories.Root} (removed now): {string.Join(", ", left)}";

        Console.WriteLine();
        Console.WriteLine("== summary ==");
        foreach (var r in results)
            Console.WriteLine($"  down-dead-peers = {(r.DownDeadPeers ? "on " : "off")}: {Scenario.Victim} removed {Scenario.Seconds(r.AllRemoved)} after SIGKILL" +
                (r.FirstUnreachable is { } u ? $" (first marked unreachable after {Scenario.Seconds(u)})" : ""));
        if (error != null)
        {
            Console.Error.WriteLine($"FAILED: {error}");
            return 1;
        }
        Console.WriteLine("OK: the cluster formed over shared memory (co-located) and TCP (remote), removed the killed node in both rounds, " +
            "and every node stopped and left nothing behind");
        return 0;
    }

    /// <summary>Stops every node still running (they terminate their ActorSystems in order); a node that fails to is an error.</summary>
    private static void StopAll(List<NodeProcess> nodes, ref string? error)
    {
        var codes = nodes.AsParallel().Select(n => (Node: n, Code: n.HasExited && n.Name == Scenario.Victim ? 0 : n.Stop())).ToList();
        foreach (var (node, code) in codes)
        {
            if (code != 0)
                error ??= $"{node.Name} exited with code {code} when told to stop.{node.Tail()}";
            node.Dispose();
        }
    }
}
