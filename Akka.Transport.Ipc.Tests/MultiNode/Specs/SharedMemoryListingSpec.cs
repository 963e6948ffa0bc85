using System.Globalization;
using Akka.Actor;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

public sealed class SharedMemoryListingConfig : MultiNodeConfig
{
    public SharedMemoryListingConfig()
    {
        Observer = Role("observer");
        Victim = Role("victim");
        Survivor = Role("survivor");
        CommonConfig = ModeConfig.For("shm");
    }

    /// <summary>Lists /dev/shm, kills the victim and sweeps (the harness's test process).</summary>
    public RoleName Observer { get; }

    public RoleName Victim { get; }

    public RoleName Survivor { get; }
}

/// <summary>
/// README: "/dev/shm exactly as before". The whole /dev/shm listing, restricted to names this run's endpoints can
/// have created (its directory's token, its semaphore prefix, its processes' pids; other tests may run alongside),
/// differs while the endpoints talk (1 000 pings) and is the same as before the roles' endpoints existed after a
/// SIGKILLed peer, the next endpoint's sweep and a clean shutdown of every role. (Ported from the NodeHost harness's
/// SharedMemoryListingTests.)
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class SharedMemoryListingSpec : HarnessCheckedSpec
{
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(2);
    private readonly SharedMemoryListingConfig _config;

    public SharedMemoryListingSpec(ITestOutputHelper output) : this(new SharedMemoryListingConfig(), output)
    {
    }

    private SharedMemoryListingSpec(SharedMemoryListingConfig config, ITestOutputHelper output) : base(config, output) => _config = config;

    [MultiNodeFact]
    public void Dev_shm_is_exactly_as_before_after_a_killed_peer_the_next_sweep_and_shutdown()
    {
        Sys.ActorOf(Props.Create<ProcessIdAnswer>(), "pid");
        Sys.ActorOf(Props.Create<Echo>(), "echo");
        EnterBarrier("started");

        var pids = new List<int> { Environment.ProcessId };
        string[] before = [];
        RunOn(() =>
        {
            pids.AddRange(new[] { _config.Victim, _config.Survivor }.Select(role =>
                Sys.ActorSelection(Node(role) / "user" / "pid").Ask<int>(ProcessIdAnswer.Query, Step).Result));
            // Every role's endpoint already listens when the spec starts; they all shut down with the rest, so their
            // names are not part of "before".
            var ports = Roles.Select(role => GetAddress(role).Port!.Value).ToList();
            before = Listing(pids).Where(n => !ports.Any(port => NamesPort(n, port))).ToArray();
        }, _config.Observer);
        EnterBarrier("listed-before");

        RunOn(() =>
        {
            var echo = Sys.ActorSelection(Node(_config.Victim) / "user" / "echo").ResolveOne(Step).Result;
            Pings.Run(Sys, echo, 1000, Step);
        }, _config.Survivor);
        EnterBarrier("pinged");

        RunOn(() =>
        {
            Assert.NotEqual(before, Listing(pids)); // the endpoints' names are visible while they run
            TestConductor.Kill(_config.Victim).Wait();
            SweepWithNewEndpoint();
        }, _config.Observer);

        ShutdownAndVerify(_config.Observer);
        RunOn(() => Assert.Equal(before, Listing(pids)), _config.Observer);
    }

    /// <summary>Whether a /dev/shm name belongs to the endpoint on <paramref name="port"/>.</summary>
    private static bool NamesPort(string name, int port)
    {
        string file = Path.GetFileName(name), text = port.ToString(CultureInfo.InvariantCulture);
        return file.StartsWith(text + ".", StringComparison.Ordinal) || file.StartsWith(text + "-", StringComparison.Ordinal)
            || file.EndsWith("-" + text, StringComparison.Ordinal);
    }

    private string[] Listing(IReadOnlyList<int> pids)
    {
        var names = new ChannelNames(Path.GetFullPath(IpcDirectory));
        string prefix = names.SemaphorePrefix.TrimStart('/');
        return Directory.EnumerateFileSystemEntries("/dev/shm", "*", SearchOption.AllDirectories)
            .Select(e => Path.GetRelativePath("/dev/shm", e))
            .Where(n => n.Contains(names.Token, StringComparison.Ordinal)
                || n.Contains(prefix, StringComparison.Ordinal)
                || pids.Any(pid => n.Contains(pid.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>Answers <see cref="Query"/> with this process's id.</summary>
    private sealed class ProcessIdAnswer : ReceiveActor
    {
        public const string Query = "pid?";

        public ProcessIdAnswer() => Receive<string>(q => q == Query, _ => Sender.Tell(Environment.ProcessId));
    }
}
