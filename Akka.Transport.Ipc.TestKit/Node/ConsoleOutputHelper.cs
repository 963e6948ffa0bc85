using Xunit.Abstractions;

namespace Akka.Transport.Ipc.TestKit.Node;

/// <summary>
/// The <see cref="ITestOutputHelper"/> a spec gets in a node process: its lines go to standard output, which the
/// conductor prefixes with the role and adds to the test's output.
/// </summary>
internal sealed class ConsoleOutputHelper : ITestOutputHelper
{
    public void WriteLine(string message) => Console.Out.WriteLine(message);

    public void WriteLine(string format, params object[] args) => Console.Out.WriteLine(format, args);
}
