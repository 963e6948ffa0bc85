using Akka.Actor;
using Akka.Transport.Ipc.TestKit.Node;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.TestKit;

/// <summary>
/// Base class of a multi-node spec, as in Akka.Remote.TestKit: an Akka TestKit on this role's ActorSystem
/// (<c>ExpectMsg</c>, <c>Watch</c>, <c>Within</c>… work as usual) plus roles, barriers and the
/// <see cref="TestConductor"/>. Mark the test methods <see cref="MultiNodeFactAttribute"/>: <c>dotnet test</c> then
/// starts one process per role, each constructs the spec and runs the same method.
/// </summary>
/// <remarks>
/// The constructor creates the ActorSystem (named after the spec class, on the IPC transport in a directory private
/// to the run), reports its address to the conductor and returns once every role is ready, so
/// <see cref="GetAddress"/> and <see cref="Node"/> work from the first line of a test. A spec constructed outside a
/// run throws <see cref="InvalidOperationException"/>.
/// </remarks>
public abstract class MultiNodeSpec : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly NodeContext _node;
    private readonly IReadOnlyDictionary<RoleName, Address> _addresses;

    /// <summary>
    /// Creates this role's ActorSystem and waits for the other roles. <paramref name="output"/> is where
    /// <see cref="Output"/> writes; in a node process everything written to it, and every Akka log line, reaches the
    /// test's output prefixed with the role.
    /// </summary>
    protected MultiNodeSpec(MultiNodeConfig config, ITestOutputHelper? output = null)
        // No output helper for the TestKit itself: in a node, Akka's log already goes to standard output (the
        // TestKit's TestEventListener), and a TestOutputLogger would print every line twice.
        : base(NodeSystem.Create(config), (ITestOutputHelper?)null)
    {
        Output = output;
        _node = NodeContext.Current ?? throw new InvalidOperationException("No multi-node run.");
        Config = config;
        Myself = config.RoleNamed(_node.Environment.Role);
        _node.Attach(Sys);

        var self = ((ExtendedActorSystem)Sys).Provider.DefaultAddress;
        var table = _node.Client.ReadyAsync(self.ToString(), StartTimeout).GetAwaiter().GetResult();
        _addresses = table.ToDictionary(entry => config.RoleNamed(entry.Key), entry => Address.Parse(entry.Value));
        TestConductor = new TestConductor(_node.Client, config);
    }

    /// <summary>The output helper given to the constructor: lines reach the test's output, prefixed with the role.</summary>
    protected new ITestOutputHelper? Output { get; }

    /// <summary>The spec's configuration.</summary>
    public MultiNodeConfig Config { get; }

    /// <summary>This process's role.</summary>
    public RoleName Myself { get; }

    /// <summary>
    /// Which process of its role this is: 0 for the first, then one more for each <see cref="TestConductor.Restart"/>.
    /// A restarted life runs the test method from the top: branch on it to skip what earlier lives did (and their
    /// barriers).
    /// </summary>
    public int Life => _node.Environment.Life;

    /// <summary>Every role of the spec, in declaration order.</summary>
    public IReadOnlyList<RoleName> Roles => Config.Roles;

    /// <summary>How many roles take part from the start: all of them (every role's process starts with the run).</summary>
    public int InitialParticipants => Config.Roles.Count;

    /// <summary>Kills, freezes, exits and cuts off roles.</summary>
    public TestConductor TestConductor { get; }

    /// <summary>True when this process runs one of <paramref name="nodes"/>.</summary>
    public bool IsNode(params RoleName[] nodes) => nodes.Contains(Myself);

    /// <summary>Runs <paramref name="thunk"/> only on the given roles.</summary>
    public void RunOn(Action thunk, params RoleName[] nodes)
    {
        if (IsNode(nodes))
            thunk();
    }

    /// <summary>Runs <paramref name="thunk"/> only on the given roles.</summary>
    public async Task RunOnAsync(Func<Task> thunk, params RoleName[] nodes)
    {
        if (IsNode(nodes))
            await thunk().ConfigureAwait(false);
    }

    /// <summary>
    /// Enters each barrier in turn and waits until every role still running has entered it. Fails with
    /// <see cref="MultiNodeBarrierException"/> naming the missing roles after <see cref="MultiNodeConfig.BarrierTimeout"/>,
    /// or at once when a role fails meanwhile. Roles the conductor killed or exited are not waited for.
    /// </summary>
    public void EnterBarrier(params string[] names) => EnterBarrierAsync(names).GetAwaiter().GetResult();

    /// <inheritdoc cref="EnterBarrier"/>
    public async Task EnterBarrierAsync(params string[] names)
    {
        foreach (var name in names)
        {
            if (name == NodeProgram.EndBarrier)
                throw new ArgumentException($"'{name}' is the kit's own barrier after the test method.", nameof(names));
            await _node.Client.EnterBarrierAsync(name).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Ends this role's process now, the way an application ends (a spec of what a process leaves behind when it exits
    /// while its endpoints still shut down): tells the conductor it leaves on purpose (its exit code does not fail the
    /// run, later barriers do not wait for it), then returns <paramref name="exitCode"/> from the node program's Main
    /// at once or calls <see cref="Environment.Exit(int)"/> (<paramref name="ending"/>). Nothing of the kit runs on the
    /// way out: no final barrier, no Dispose of the spec, this role's ActorSystem is not terminated. Never returns.
    /// </summary>
    public void LeaveProcess(ProcessEnding ending, int exitCode)
    {
        _node.Client.ReportLeaving();
        if (ending == ProcessEnding.EnvironmentExit)
        {
            Console.Out.Flush();
            Environment.Exit(exitCode);
        }
        throw new LeaveProcessRequest(exitCode);
    }

    /// <summary>The address of <paramref name="role"/>'s ActorSystem.</summary>
    public Address GetAddress(RoleName role) => _addresses.TryGetValue(role, out var address)
        ? address
        : throw new ArgumentException($"{role} is not a role of this spec.", nameof(role));

    /// <summary>The root actor path of <paramref name="role"/>'s ActorSystem.</summary>
    public ActorPath Node(RoleName role) => new RootActorPath(GetAddress(role));
}
