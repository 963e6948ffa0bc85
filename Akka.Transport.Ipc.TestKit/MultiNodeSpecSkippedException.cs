namespace Akka.Transport.Ipc.TestKit;

/// <summary>
/// A multi-node run in which the spec skipped itself on every role (Xunit.SkippableFact's <c>Skip.If</c>/<c>Skip.IfNot</c>
/// in the test method): the kit's test case reports the test skipped with this reason, not passed.
/// </summary>
public sealed class MultiNodeSpecSkippedException : Exception
{
    public MultiNodeSpecSkippedException(string reason) : base(reason)
    {
    }
}
