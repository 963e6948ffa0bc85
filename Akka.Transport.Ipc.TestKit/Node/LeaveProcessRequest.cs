namespace Akka.Transport.Ipc.TestKit.Node;

/// <summary>
/// Thrown by <see cref="MultiNodeSpec.LeaveProcess"/> with <see cref="ProcessEnding.ReturnFromMain"/>: unwinds the spec
/// method to <see cref="NodeProgram"/>, which returns <see cref="ExitCode"/> from Main at once. Not a failure.
/// </summary>
internal sealed class LeaveProcessRequest : Exception
{
    public LeaveProcessRequest(int exitCode) : base($"the spec leaves its process with exit code {exitCode}") => ExitCode = exitCode;

    public int ExitCode { get; }
}
