using Akka.Transport.Ipc.TestKit.Conductor;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Kit;

/// <summary>
/// The kit's own behaviour, through its runner (what <c>[MultiNodeFact]</c> runs): barriers that time out name the
/// late role, a failing role fails the run with its message at once, a hanging run is killed at its time-out, killed,
/// frozen and exited roles, output prefixed with the role, and nothing left behind, pass or fail.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class KitBehaviourTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_barrier_that_times_out_names_the_late_role()
    {
        var result = await RunAsync(typeof(BarrierSpecs), nameof(BarrierSpecs.Late_role));

        Assert.False(result.Passed);
        string message = result.FailureMessage();
        Assert.Contains("Barrier 'meet' timed out after 3 s: c never arrived (arrived: ", message);
        Assert.Equal(RoleFate.Failed, result.Fates["a"]);
        // c, still asleep in the spec, is killed 5 s after the run failed instead of being waited for.
        Assert.Contains("role c: still running 5 s after the run failed; killed", message);
        AssertNothingLeft(result);
    }

    [Fact]
    public async Task A_failing_role_fails_the_run_with_its_message_and_the_others_stop_waiting_at_once()
    {
        var result = await RunAsync(typeof(BarrierSpecs), nameof(BarrierSpecs.Failing_role));

        Assert.False(result.Passed);
        string message = result.FailureMessage();
        Assert.Contains("role b: System.InvalidOperationException: boom on b", message);
        // The others' barrier failed because b failed, not because a 3 s time-out passed.
        Assert.Contains("Barrier 'after-boom' failed: role b failed: System.InvalidOperationException: boom on b", message);
        Assert.DoesNotContain("timed out", message);
        Assert.Equal(RoleFate.Failed, result.Fates["b"]);
        // Output, prefixed with the role; the failed role's last lines are in the message.
        foreach (var role in new[] { "a", "b", "c" })
            Assert.Contains($"[{role}] hello from {role}", result.OutputLines);
        Assert.Contains("last output of b:", message);
        AssertNothingLeft(result);
    }

    [Fact]
    public async Task A_hanging_role_is_killed_at_the_run_time_out()
    {
        var result = await RunAsync(typeof(PatientSpecs), nameof(PatientSpecs.Hanging_role), TimeSpan.FromSeconds(10));

        Assert.False(result.Passed);
        Assert.Contains("The spec did not finish within 10 s; still running: a, b, c", result.FailureMessage());
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(40), $"the run took {result.Elapsed}");
        AssertNothingLeft(result);
    }

    [Fact]
    public async Task Frozen_killed_and_exited_roles_take_effect_and_later_barriers_wait_only_for_the_rest()
    {
        var result = await RunAsync(typeof(PatientSpecs), nameof(PatientSpecs.Frozen_killed_and_exited_roles));

        Assert.True(result.Passed, result.FailureMessage());
        Assert.Equal(RoleFate.Passed, result.Fates["a"]);
        Assert.Equal(RoleFate.Killed, result.Fates["b"]);
        Assert.Equal(RoleFate.ExitedOnPurpose, result.Fates["c"]);
        Assert.Contains(result.OutputLines, l => l.StartsWith("[b] b was stopped for ", StringComparison.Ordinal));
        Assert.Contains(result.OutputLines, l => l.EndsWith("c exited with code 3", StringComparison.Ordinal));
        Assert.Contains("[a] a passed the barriers alone", result.OutputLines);
        Assert.DoesNotContain(result.OutputLines, l => l.StartsWith("[b] b passed", StringComparison.Ordinal) || l.StartsWith("[c] c passed", StringComparison.Ordinal));
        AssertNothingLeft(result);
    }

    [Fact]
    public async Task A_spec_skipped_on_every_role_is_reported_skipped_not_passed()
    {
        var result = await RunAsync(typeof(SkippingSpecs), nameof(SkippingSpecs.Skipped_on_every_role));

        Assert.True(result.Skipped, result.FailureMessage());
        Assert.False(result.Passed);
        Assert.All(result.Fates.Values, fate => Assert.Equal(RoleFate.Skipped, fate));
        Assert.Matches(@"^not here \((a|b|c)\)$", result.SkipReason);
        Assert.DoesNotContain(result.OutputLines, l => l.Contains("ran on after Skip.If", StringComparison.Ordinal));
        AssertNothingLeft(result);
    }

    [Fact]
    public async Task A_spec_skipped_on_some_roles_only_fails()
    {
        var result = await RunAsync(typeof(SkippingSpecs), nameof(SkippingSpecs.Skipped_on_one_role));

        Assert.False(result.Skipped);
        Assert.False(result.Passed);
        Assert.Equal(RoleFate.Skipped, result.Fates["b"]);
        Assert.Equal(RoleFate.Passed, result.Fates["a"]);
        Assert.Contains("- role b skipped (only b skips) while others did not", result.FailureMessage());
        AssertNothingLeft(result);
    }

    [Fact]
    public async Task A_role_that_leaves_its_process_or_is_signalled_counts_as_leaving_on_purpose()
    {
        var result = await RunAsync(typeof(LeavingSpecs), nameof(LeavingSpecs.Roles_leave_their_processes));

        Assert.True(result.Passed, result.FailureMessage());
        Assert.Equal(RoleFate.Passed, result.Fates["a"]);
        Assert.Equal(RoleFate.ExitedOnPurpose, result.Fates["b"]);
        Assert.Equal(RoleFate.ExitedOnPurpose, result.Fates["c"]);
        Assert.Contains(result.OutputLines, l => l.EndsWith("b exited with code 5", StringComparison.Ordinal));
        Assert.Contains("[a] b's exit code: 5", result.OutputLines);
        Assert.Contains("[a] c exited with 130 after SIGINT", result.OutputLines);
        Assert.Contains("[a] a passed the barriers alone", result.OutputLines);
        Assert.DoesNotContain(result.OutputLines, l => l.StartsWith("[b] b passed", StringComparison.Ordinal) || l.StartsWith("[c] c passed", StringComparison.Ordinal));
        AssertNothingLeft(result);
    }

    [SkippableFact]
    public async Task A_role_configured_to_run_as_another_user_runs_as_that_user_and_reaches_the_conductor()
    {
        Skip.IfNot(Mono.Unix.Native.Syscall.geteuid() == 0, "needs root: the kit switches a role's user; this run is not root");
        var result = await RunAsync(typeof(OtherUserSpecs), nameof(OtherUserSpecs.Roles_run_as_their_users));

        Assert.True(result.Passed, result.FailureMessage());
        Assert.Contains("[a] a runs as uid 0 in ipc", result.OutputLines);
        Assert.Contains($"[b] b runs as uid {Mono.Unix.Native.Syscall.getpwnam("nobody")!.pw_uid} in as-nobody", result.OutputLines);
        AssertNothingLeft(result);
    }

    [Fact]
    public async Task A_role_configured_without_an_assembly_runs_from_a_copy_of_the_build_output_that_lacks_it()
    {
        var result = await RunAsync(typeof(LeftOutAssemblySpecs), nameof(LeftOutAssemblySpecs.Roles_run_from_their_build_output));

        Assert.True(result.Passed, result.FailureMessage());
        Assert.Contains("[a] a runs from net10.0; Akka.Transport.Ipc.Cluster loads", result.OutputLines);
        Assert.Contains("[b] b runs from build-b; Akka.Transport.Ipc.Cluster is missing", result.OutputLines);
        AssertNothingLeft(result);
    }

    [Fact]
    public async Task A_killed_role_restarted_runs_again_as_its_next_life_and_joins_later_barriers()
    {
        var result = await RunAsync(typeof(RestartSpecs), nameof(RestartSpecs.Killed_role_restarted));

        Assert.True(result.Passed, result.FailureMessage());
        Assert.Equal(RoleFate.Passed, result.Fates["b"]); // judged by its last life
        Assert.Contains("[b] b life 0 runs", result.OutputLines);
        Assert.Contains("[b] b life 1 runs", result.OutputLines);
        Assert.Contains("[a] b is back at a new address", result.OutputLines);
        foreach (var role in new[] { "a life 0", "c life 0", "b life 1" })
            Assert.Contains($"[{role[0]}] {role} passed 'back'", result.OutputLines);
        Assert.Contains("b#1", result.ProcessIds.Keys);
        AssertNothingLeft(result);
    }

    private async Task<MultiNodeRunResult> RunAsync(Type spec, string method, TimeSpan? timeout = null)
    {
        var result = await MultiNodeRun.RunAsync(spec, method, timeout ?? RunTimeout);
        foreach (var line in result.OutputLines)
            output.WriteLine(line);
        output.WriteLine(result.Passed ? $"passed in {result.Elapsed.TotalSeconds:F1} s" : result.FailureMessage());
        return result;
    }

    /// <summary>
    /// Every role's process is gone, the run directory (socket, IPC directory) is removed, and nothing of the run's
    /// endpoints is left in /dev/shm: no segment carrying its directory's token, no doorbell semaphore of its prefix
    /// (a killed role leaves both until the kit sweeps them).
    /// </summary>
    private static void AssertNothingLeft(MultiNodeRunResult result)
    {
        foreach (var (role, pid) in result.ProcessIds)
            Assert.False(Directory.Exists($"/proc/{pid}"), $"role {role}'s process {pid} is still there");
        Assert.False(Directory.Exists(result.RunDirectory), $"{result.RunDirectory} is left");
        var names = new Akka.Transport.Ipc.Endpoint.ChannelNames(Path.Combine(result.RunDirectory, "ipc"));
        string semaphores = "sem." + names.SemaphorePrefix.TrimStart('/');
        var left = Directory.EnumerateFileSystemEntries("/dev/shm")
            .Where(e => Path.GetFileName(e).Contains(names.Token, StringComparison.Ordinal)
                || Path.GetFileName(e).StartsWith(semaphores, StringComparison.Ordinal))
            .ToList();
        Assert.True(left.Count == 0, "left in /dev/shm: " + string.Join(", ", left));
    }
}
