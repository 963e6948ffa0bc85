namespace Akka.Transport.Ipc.Channels;

/// <summary>
/// Whether this process counts frames, bytes and back-pressured writes per association (<see cref="SentFrames"/> and
/// the handle's counters). Always on for users: there is no configuration key, because the counting is two plain
/// additions per frame inside a lock the write takes anyway (measured: the README's "Operating it"), and the meter
/// and the <c>akka-ipc</c> tool depend on it. The switch exists
/// for the benchmark's metrics comparison only (reached through InternalsVisibleTo), which runs the same parts with
/// the counting off and on.
/// </summary>
/// <remarks>
/// The value is decided once per process, when the first association is counted, and is a <c>static readonly</c>
/// field from then on: the JIT folds the check away in optimized code, so the counting path measured "on" is the
/// one users run. Switching off after that point would leave the totals half counted, so it throws instead.
/// </remarks>
internal static class FrameCounting
{
    private static volatile bool s_offRequested;
    private static volatile bool s_decided;

    /// <summary>Whether associations count their frames (decided at the first call).</summary>
    public static bool Enabled => Decision.Enabled;

    /// <summary>
    /// Benchmark only: no association of this process will count frames, bytes or back-pressured writes (the meter
    /// and the statistics file report zeros for them). Call before the first transport starts.
    /// </summary>
    /// <exception cref="InvalidOperationException">An association was already counted in this process.</exception>
    public static void SwitchOffForThisProcess()
    {
        s_offRequested = true;
        if (s_decided && Decision.Enabled)
            throw new InvalidOperationException("Frame counting was already decided (on) for this process: switch it off before the first transport starts.");
    }

    // A class of its own with a static constructor: initialized exactly at first use, not earlier (no beforefieldinit).
    private static class Decision
    {
        public static readonly bool Enabled;

        static Decision()
        {
            Enabled = !s_offRequested;
            s_decided = true;
        }
    }
}
