using Xunit;
using Xunit.Sdk;

namespace Akka.Transport.Ipc.TestKit;

/// <summary>
/// Marks a multi-node test method of a <see cref="MultiNodeSpec"/>. <c>dotnet test</c> discovers it like any fact;
/// running it starts one process per role, each constructing the spec and running this method. The test passes when
/// every role passes (a role the conductor killed or exited counts as passed) and fails with the failing roles'
/// exceptions and last output lines otherwise. Each role's output appears in the test's output, prefixed with the
/// role.
/// </summary>
/// <remarks>
/// <see cref="FactAttribute.Timeout"/> (milliseconds) bounds the whole run, default 2 minutes: then every node is
/// killed and the test fails naming the roles still running. <see cref="FactAttribute.Skip"/> skips it as usual; to
/// skip at run time (no root, no tmpfs…), call Xunit.SkippableFact's <c>Skip.If</c>/<c>Skip.IfNot</c> on every role:
/// the test is then reported skipped with that reason, not passed (skipping on some roles only fails it).
/// </remarks>
[XunitTestCaseDiscoverer("Akka.Transport.Ipc.TestKit.Sdk.MultiNodeFactDiscoverer", "Akka.Transport.Ipc.TestKit")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class MultiNodeFactAttribute : FactAttribute
{
}
