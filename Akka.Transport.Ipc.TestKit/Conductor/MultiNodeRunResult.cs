using System.Text;

namespace Akka.Transport.Ipc.TestKit.Conductor;

/// <summary>
/// The outcome of a run: each role's fate, the failures (run-level ones first, then each failed role's), and all
/// output. It passed when there is no failure: every role passed or was killed or exited by the conductor.
/// </summary>
internal sealed class MultiNodeRunResult
{
    private const int TailLines = 15;
    private readonly RunOutput _output;

    public MultiNodeRunResult(Type specType, string method, IReadOnlyDictionary<string, RoleFate> fates,
        IReadOnlyList<(string? Role, string Failure)> failures, RunOutput output, TimeSpan elapsed,
        IReadOnlyDictionary<string, int> processIds, string runDirectory, IReadOnlyDictionary<string, string> skipReasons)
    {
        SkipReasons = skipReasons;
        ProcessIds = processIds;
        RunDirectory = runDirectory;
        Name = $"{specType.FullName}.{method}";
        Fates = fates;
        Failures = failures;
        _output = output;
        Elapsed = elapsed;
    }

    public string Name { get; }

    public IReadOnlyDictionary<string, RoleFate> Fates { get; }

    public IReadOnlyList<(string? Role, string Failure)> Failures { get; }

    public TimeSpan Elapsed { get; }

    /// <summary>Each life's process id, by role (b) and restarted life (b#1…); all gone by the time the result exists.</summary>
    public IReadOnlyDictionary<string, int> ProcessIds { get; }

    /// <summary>The run's private directory (removed by the time the result exists).</summary>
    public string RunDirectory { get; }

    public bool Passed => Failures.Count == 0 && Fates.Values.All(f => f is RoleFate.Passed or RoleFate.Killed or RoleFate.ExitedOnPurpose);

    /// <summary>Each role that skipped the spec (Skip.If), with its reason.</summary>
    public IReadOnlyDictionary<string, string> SkipReasons { get; }

    /// <summary>
    /// The spec skipped itself on every role (each decided so, e.g. <c>Skip.IfNot(root)</c>) and nothing failed: the
    /// test is reported skipped, not passed. A spec skipped on some roles only while the others ran fails instead:
    /// what ran would pass without the skipped roles' part.
    /// </summary>
    public bool Skipped => Failures.Count == 0 && Fates.Values.All(f => f == RoleFate.Skipped);

    /// <summary>Why the spec was skipped (the first role's reason), or null when it was not.</summary>
    public string? SkipReason => Skipped ? SkipReasons.Values.First() : null;

    public IReadOnlyList<string> OutputLines => _output.Lines;

    /// <summary>Why the run failed: each failure, and the last output lines of each failed role.</summary>
    public string FailureMessage()
    {
        var text = new StringBuilder($"Multi-node spec {Name} failed after {Elapsed.TotalSeconds:F1} s:");
        if (!Skipped && SkipReasons.Count > 0)
        {
            foreach (var (role, reason) in SkipReasons)
                text.AppendLine().Append($"- role {role} skipped ({reason}) while others did not: a spec must skip on every role or on none");
        }
        foreach (var (role, failure) in Failures)
        {
            text.AppendLine();
            text.Append(role is null ? $"- {failure}" : $"- role {role}: {failure}");
            if (role is null)
                continue;
            text.AppendLine().Append($"  last output of {role}:");
            foreach (var line in _output.TailOf(role).TakeLast(TailLines))
                text.AppendLine().Append("    ").Append(line);
        }
        return text.ToString();
    }
}
