using System.Diagnostics;
using Akka.Transport.Ipc.TestKit;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Kit;

public sealed class ThreeRolesConfig : MultiNodeConfig
{
    public ThreeRolesConfig(TimeSpan barrierTimeout)
    {
        A = Role("a");
        B = Role("b");
        C = Role("c");
        BarrierTimeout = barrierTimeout;
    }

    public RoleName A { get; }

    public RoleName B { get; }

    public RoleName C { get; }
}

/// <summary>
/// Specs that misbehave on purpose, for <see cref="KitBehaviourTests"/>. Their methods carry no
/// <see cref="MultiNodeFactAttribute"/>: the tests run them through the kit's runner and judge the result, so they
/// are not tests of their own.
/// </summary>
public sealed class BarrierSpecs : MultiNodeSpec
{
    private readonly ThreeRolesConfig _config;

    public BarrierSpecs(ITestOutputHelper output) : this(new ThreeRolesConfig(TimeSpan.FromSeconds(3)), output)
    {
    }

    private BarrierSpecs(ThreeRolesConfig config, ITestOutputHelper output) : base(config, output) => _config = config;

    /// <summary>c arrives 30 s late at a barrier with a 3 s time-out.</summary>
    public void Late_role()
    {
        RunOn(() => Thread.Sleep(TimeSpan.FromSeconds(30)), _config.C);
        EnterBarrier("meet");
    }

    /// <summary>b throws; a and c wait at a barrier b never reaches.</summary>
    public void Failing_role()
    {
        Output!.WriteLine($"hello from {Myself.Name}");
        RunOn(() => throw new InvalidOperationException("boom on b"), _config.B);
        EnterBarrier("after-boom");
    }
}

/// <summary>Specs whose barriers would wait a minute, so that only the run's time-out can end them.</summary>
public sealed class PatientSpecs : MultiNodeSpec
{
    private readonly ThreeRolesConfig _config;

    public PatientSpecs(ITestOutputHelper output) : this(new ThreeRolesConfig(TimeSpan.FromSeconds(60)), output)
    {
    }

    private PatientSpecs(ThreeRolesConfig config, ITestOutputHelper output) : base(config, output) => _config = config;

    /// <summary>b never returns.</summary>
    public void Hanging_role()
    {
        RunOn(() => Thread.Sleep(Timeout.Infinite), _config.B);
        EnterBarrier("never");
    }

    /// <summary>
    /// a freezes b for 1.5 s (b measures the gap in its own clock), then kills b and exits c with code 3 while both
    /// wait at a barrier, which then waits for a alone.
    /// </summary>
    public void Frozen_killed_and_exited_roles()
    {
        // b ticks every 10 ms from before the freeze until a gap of over a second shows it was stopped (or 15 s pass).
        Task<TimeSpan>? longestGap = null;
        RunOn(() => longestGap = Task.Run(() =>
        {
            var longest = TimeSpan.Zero;
            var last = Stopwatch.GetTimestamp();
            var until = last + Stopwatch.Frequency * 15;
            while (Stopwatch.GetTimestamp() < until && longest < TimeSpan.FromSeconds(1))
            {
                Thread.Sleep(10);
                var now = Stopwatch.GetTimestamp();
                var gap = Stopwatch.GetElapsedTime(last, now);
                longest = gap > longest ? gap : longest;
                last = now;
            }
            return longest;
        }), _config.B);
        EnterBarrier("ticking");

        RunOn(() =>
        {
            TestConductor.Freeze(_config.B).Wait();
            Thread.Sleep(TimeSpan.FromSeconds(1.5));
            TestConductor.Thaw(_config.B).Wait();
        }, _config.A);
        RunOn(() =>
        {
            var gap = longestGap!.Result;
            Assert.True(gap >= TimeSpan.FromSeconds(1), $"b was never stopped: its longest gap was {gap.TotalMilliseconds:F0} ms");
            Output!.WriteLine($"b was stopped for {gap.TotalMilliseconds:F0} ms");
        }, _config.B);
        EnterBarrier("thawed");

        // b and c wait at 'gone' (and never leave it); a removes them, and 'gone' then waits for a alone.
        RunOn(() =>
        {
            long before = Stopwatch.GetTimestamp();
            long signalled = TestConductor.Kill(_config.B).Result;
            Assert.InRange(signalled, before, Stopwatch.GetTimestamp()); // when SIGKILL was sent, on the shared clock
            TestConductor.Exit(_config.C, 3).Wait();
        }, _config.A);
        EnterBarrier("gone");
        EnterBarrier("a-alone");
        Output!.WriteLine($"{Myself.Name} passed the barriers alone");
    }
}

/// <summary>Specs that skip themselves at run time (Skip.If), on every role or on one.</summary>
public sealed class SkippingSpecs : MultiNodeSpec
{
    private readonly ThreeRolesConfig _config;

    public SkippingSpecs(ITestOutputHelper output) : this(new ThreeRolesConfig(TimeSpan.FromSeconds(10)), output)
    {
    }

    private SkippingSpecs(ThreeRolesConfig config, ITestOutputHelper output) : base(config, output) => _config = config;

    /// <summary>Every role skips, a after a barrier.</summary>
    public void Skipped_on_every_role()
    {
        EnterBarrier("before-skip");
        Skip.If(true, $"not here ({Myself.Name})");
        throw new InvalidOperationException("ran on after Skip.If");
    }

    /// <summary>b skips; a and c go on to a barrier and pass.</summary>
    public void Skipped_on_one_role()
    {
        Skip.If(Myself == _config.B, "only b skips");
        EnterBarrier("without-b");
    }
}

/// <summary>Roles that end their own process (LeaveProcess) or are signalled (TestConductor.Signal).</summary>
public sealed class LeavingSpecs : MultiNodeSpec
{
    private readonly ThreeRolesConfig _config;

    public LeavingSpecs(ITestOutputHelper output) : this(new ThreeRolesConfig(TimeSpan.FromSeconds(20)), output)
    {
    }

    private LeavingSpecs(ThreeRolesConfig config, ITestOutputHelper output) : base(config, output) => _config = config;

    /// <summary>
    /// b returns 5 from Main (a awaits its exit and checks the code); a sends c SIGINT (a role starts with its default action, terminate, even if the test host ignores it) and
    /// checks its exit code.
    /// </summary>
    public void Roles_leave_their_processes()
    {
        EnterBarrier("started");
        RunOn(() => LeaveProcess(ProcessEnding.ReturnFromMain, 5), _config.B);
        RunOn(() =>
        {
            Output!.WriteLine($"b's exit code: {TestConductor.AwaitExit(_config.B).Result}");
            int code = TestConductor.Signal(_config.C, Mono.Unix.Native.Signum.SIGINT).Result;
            Assert.Equal(128 + (int)Mono.Unix.Native.Signum.SIGINT, code);
            Output!.WriteLine($"c exited with {code} after SIGINT");
        }, _config.A);
        EnterBarrier("left");
        Output!.WriteLine($"{Myself.Name} passed the barriers alone");
    }
}

/// <summary>b runs as user nobody (MultiNodeConfig.RunAs); a as the test's user.</summary>
public sealed class OtherUserSpecs : MultiNodeSpec
{
    public OtherUserSpecs(ITestOutputHelper output) : this(new OtherUserConfig(), output)
    {
    }

    private OtherUserSpecs(OtherUserConfig config, ITestOutputHelper output) : base(config, output)
    {
    }

    /// <summary>Each role prints its uid and IPC directory; both meet at a barrier (b reached the conductor).</summary>
    public void Roles_run_as_their_users()
    {
        Output!.WriteLine($"{Myself.Name} runs as uid {Mono.Unix.Native.Syscall.getuid()} in {Path.GetFileName(Sys.Settings.Config.GetString("akka.remote.ipc.directory"))}");
        EnterBarrier("met");
    }

    private sealed class OtherUserConfig : MultiNodeConfig
    {
        public OtherUserConfig()
        {
            Role("a");
            RunAs(Role("b"), "nobody");
        }
    }
}

/// <summary>b runs from a copy of the build output without Akka.Transport.Ipc.Cluster (MultiNodeConfig.WithoutAssemblies).</summary>
public sealed class LeftOutAssemblySpecs : MultiNodeSpec
{
    public LeftOutAssemblySpecs(ITestOutputHelper output) : this(new LeftOutConfig(), output)
    {
    }

    private LeftOutAssemblySpecs(LeftOutConfig config, ITestOutputHelper output) : base(config, output)
    {
    }

    /// <summary>Each role says where its spec assembly runs from and whether it can load the left-out assembly.</summary>
    public void Roles_run_from_their_build_output()
    {
        string from = Path.GetFileName(Path.GetDirectoryName(GetType().Assembly.Location))!;
        string cluster;
        try
        {
            System.Reflection.Assembly.Load("Akka.Transport.Ipc.Cluster");
            cluster = "loads";
        }
        catch (FileNotFoundException)
        {
            cluster = "is missing";
        }
        Output!.WriteLine($"{Myself.Name} runs from {from}; Akka.Transport.Ipc.Cluster {cluster}");
        EnterBarrier("met");
    }

    private sealed class LeftOutConfig : MultiNodeConfig
    {
        public LeftOutConfig()
        {
            Role("a");
            WithoutAssemblies(Role("b"), "Akka.Transport.Ipc.Cluster");
        }
    }
}

/// <summary>a kills b and restarts it (TestConductor.Restart); b's second life branches on Life.</summary>
public sealed class RestartSpecs : MultiNodeSpec
{
    private readonly ThreeRolesConfig _config;

    public RestartSpecs(ITestOutputHelper output) : this(new ThreeRolesConfig(TimeSpan.FromSeconds(60)), output)
    {
    }

    private RestartSpecs(ThreeRolesConfig config, ITestOutputHelper output) : base(config, output) => _config = config;

    /// <summary>b's first life waits to be killed; its second life meets a and c at a later barrier.</summary>
    public void Killed_role_restarted()
    {
        Output!.WriteLine($"{Myself.Name} life {Life} runs");
        if (Life == 0)
        {
            EnterBarrier("started");
            RunOn(() => Thread.Sleep(Timeout.Infinite), _config.B);
            RunOn(() =>
            {
                var before = GetAddress(_config.B);
                TestConductor.Kill(_config.B).Wait();
                var after = TestConductor.Restart(_config.B).Result;
                Output!.WriteLine($"b is back at {(after == before ? "the same" : "a new")} address");
            }, _config.A);
        }
        EnterBarrier("back");
        Output!.WriteLine($"{Myself.Name} life {Life} passed 'back'");
    }
}
