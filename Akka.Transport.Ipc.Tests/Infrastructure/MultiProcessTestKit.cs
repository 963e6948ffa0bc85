using Akka.Actor;
using Akka.Transport.Ipc.Tests.NodeHost;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>
/// TestKit whose ActorSystem ("Test") uses the IPC transport in a fresh <see cref="IpcTestDirectory"/>,
/// plus NodeHost children sharing that directory. Dispose kills whatever is still running and
/// removes the directory, whatever the test's outcome, then fails the test if anything was left (files,
/// semaphores, a child it did not stop or kill, any NodeHost child of this process) or if the test system or a
/// node logged an ERROR the test did not allow.
/// </summary>
/// <remarks>
/// The check that no NodeHost child of this process is left relies on the multi-process tests running alone
/// (<c>MultiProcessCollection</c> disables parallelization).
/// </remarks>
public abstract class MultiProcessTestKit : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan SystemShutdownTimeout = TimeSpan.FromSeconds(60);
    private readonly List<NodeProcess> _nodes = [];
    private readonly List<IpcTestDirectory> _moreDirectories = [];

    protected MultiProcessTestKit(ITestOutputHelper output, string ringSize = "1MiB", string maxFrame = "128000b",
        string mode = "auto", string shmDirectory = "")
        : this(new IpcTestDirectory(), output, ringSize, maxFrame, mode, shmDirectory)
    {
    }

    private MultiProcessTestKit(IpcTestDirectory directory, ITestOutputHelper output, string ringSize, string maxFrame,
        string mode, string shmDirectory)
        : base(IpcConfig.For(directory.Path, ringSize: ringSize, maxFrame: maxFrame, mode: mode, shmDirectory: shmDirectory), "Test", output)
    {
        IpcDirectory = directory;
        RingSize = ringSize;
        MaxFrame = maxFrame;
        Mode = mode;
        ShmDirectory = shmDirectory;
        TestOutput = output;
        Errors = ErrorLogCollector.Install(Sys);
        TestOutput.WriteLine($"test system {LocalAddress} (pid {Environment.ProcessId}), directory {directory.Path}");
    }

    protected IpcTestDirectory IpcDirectory { get; }

    protected string RingSize { get; }

    protected string MaxFrame { get; }

    /// <summary>The test system's mode, and the nodes' unless a test says otherwise.</summary>
    protected string Mode { get; }

    /// <summary>The test system's shm-directory, and the nodes' unless a test says otherwise.</summary>
    protected string ShmDirectory { get; }

    protected ITestOutputHelper TestOutput { get; }

    /// <summary>ERROR events of the test system; any not allowed (<see cref="ErrorLogCollector.Allow"/>) fails the test.</summary>
    protected ErrorLogCollector Errors { get; }

    protected Address LocalAddress => ((ExtendedActorSystem)Sys).Provider.DefaultAddress;

    /// <summary>
    /// Starts a NodeHost child on the same directory and transport settings. <paramref name="allowedErrors"/> is a
    /// regular expression for ERROR log events the test provokes in that node on purpose (others fail the test).
    /// </summary>
    protected async Task<NodeProcess> StartNodeAsync(string systemName = "Node", string? mode = null, string? shmDirectory = null, int port = 0,
        string allowedErrors = "")
    {
        var node = await NodeProcess.StartAsync(
            new NodeOptions(IpcDirectory.Path, port, systemName, RingSize, MaxFrame, mode ?? Mode, shmDirectory ?? ShmDirectory, allowedErrors),
            TestOutput);
        _nodes.Add(node);
        TestOutput.WriteLine($"node {systemName} is up at {node.Address} (pid {node.ProcessId})");
        return node;
    }

    /// <summary>
    /// Starts a NodeHost child with options of the test's choosing (another directory, a kind, a cluster role), named
    /// <paramref name="label"/> in the log; it is stopped, checked and reaped like every other node.
    /// </summary>
    protected async Task<NodeProcess> StartNodeAsync(NodeOptions options, string label)
    {
        var node = await NodeProcess.StartAsync(options, TestOutput, label: label);
        _nodes.Add(node);
        TestOutput.WriteLine($"node {label} is up at {node.Address} (pid {node.ProcessId})");
        return node;
    }

    /// <summary>
    /// Another private IPC directory for this test (e.g. a second "host"): asserted empty by
    /// <see cref="ShutdownAndVerifyAsync"/> and removed, checked, at dispose like <see cref="IpcDirectory"/>.
    /// </summary>
    protected IpcTestDirectory NewIpcDirectory()
    {
        var directory = new IpcTestDirectory();
        _moreDirectories.Add(directory);
        return directory;
    }

    /// <summary>
    /// A named barrier: returns once every node has finished every command sent to it before, none of them failed
    /// unseen, and it reached the barrier; a node that does not get there within <paramref name="timeout"/> (or
    /// gets there otherwise) fails the test, naming it.
    /// </summary>
    protected async Task BarrierAsync(string name, TimeSpan timeout, params NodeProcess[] nodes)
    {
        var arrivals = nodes.Select(async node =>
        {
            try
            {
                await node.BarrierAsync(name, timeout);
                return null;
            }
            catch (Exception e)
            {
                return $"{node.Address} (pid {node.ProcessId}): {e.Message}";
            }
        });
        var missing = (await Task.WhenAll(arrivals)).Where(m => m != null).ToList();
        Assert.True(missing.Count == 0, $"barrier '{name}' not reached by: {string.Join("; ", missing)}");
    }

    /// <summary>
    /// Ends the test the way production ends: the test system terminates, every child not killed on purpose gets STOP;
    /// only then are clean exits and an empty IPC directory asserted.
    /// </summary>
    protected async Task ShutdownAndVerifyAsync()
    {
        await Sys.Terminate().WaitAsync(SystemShutdownTimeout);

        var exitCodes = new List<(NodeProcess Node, int ExitCode)>();
        foreach (var node in _nodes.Where(n => !n.WasKilled))
            exitCodes.Add((node, await node.StopAsync()));

        foreach (var (node, exitCode) in exitCodes)
            Assert.True(exitCode == 0, $"node at {node.Address} (pid {node.ProcessId}) exited with code {exitCode}, expected 0");

        IpcDirectory.AssertEmpty();
        foreach (var directory in _moreDirectories)
            directory.AssertEmpty();
    }

    protected override void Dispose(bool disposing)
    {
        var steps = new List<Action> { () => base.Dispose(disposing) };
        steps.AddRange(_nodes.Select(node => (Action)node.Dispose));
        steps.Add(IpcDirectory.Dispose);
        steps.AddRange(_moreDirectories.Select(directory => (Action)directory.Dispose));
        steps.Add(LeakGuard.AssertNoNodeHostChildren);
        steps.Add(Errors.AssertNoUnexpectedErrors);
        Cleanup.RunAll(steps.ToArray());
    }
}
