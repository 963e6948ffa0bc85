namespace Akka.Transport.Ipc.Tool;

/// <summary>
/// What <c>watch</c> computes rates against: per endpoint (port and pid), the statistics document it published before
/// the one shown now. A refresh that finds the same document again (an endpoint publishes once a second, the tool
/// refreshes once a second, and the two clocks drift) keeps the baseline, so its rates stay those of the last second
/// the endpoint measured instead of dropping to zero or doubling.
/// </summary>
internal sealed class RateBaselines
{
    private readonly Dictionary<(int Port, int? Pid), EndpointView> _latest = new();
    private readonly Dictionary<(int Port, int? Pid), EndpointView> _baseline = new();

    /// <summary>Takes in one refresh's views and returns them.</summary>
    public IReadOnlyList<EndpointView> Update(IReadOnlyList<EndpointView> views)
    {
        foreach (var view in views)
        {
            var key = (view.Port, view.Pid);
            if (view.UpdatedAt == null)
                continue;
            if (_latest.TryGetValue(key, out var latest) && latest.UpdatedAt == view.UpdatedAt)
                continue; // the same document again: keep the baseline
            if (latest != null)
                _baseline[key] = latest;
            _latest[key] = view;
        }
        return views;
    }

    /// <summary>The document published before <paramref name="view"/>'s, or null when there is none yet.</summary>
    public EndpointView? BaselineOf(EndpointView view) =>
        _baseline.TryGetValue((view.Port, view.Pid), out var baseline) && baseline.UpdatedAt < view.UpdatedAt ? baseline : null;
}
