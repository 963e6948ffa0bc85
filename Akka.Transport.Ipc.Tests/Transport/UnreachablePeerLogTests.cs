using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Transport;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Transport;

/// <summary>
/// A peer that is gone is an expected condition: Akka logs it (every time the gate opens) as one warning whose
/// reason says everything, like dot-netty's "Connection refused", without an inner exception and its stack from us.
/// </summary>
public sealed class UnreachablePeerLogTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly IpcTestDirectory _directory = new();

    [Fact]
    public async Task Associating_with_a_port_nobody_listens_on_is_one_clear_warning_without_an_inner_stack()
    {
        var system = ActorSystem.Create("Client", ConfigurationFactory.ParseString("akka.loglevel = WARNING")
            .WithFallback(IpcConfig.For(_directory.Path)));
        try
        {
            var log = LogCapture.Attach(system);
            const int gonePort = 9; // nothing in this test's private directory listens there
            system.ActorSelection($"akka.ipc://Gone@localhost:{gonePort}/user/anyone").Tell("hello?");

            var warning = await log.WaitForAsync(
                e => e is Warning && e.ToString().Contains("Tried to associate with unreachable remote address"), Timeout);
            Assert.NotNull(warning);
            string text = warning.ToString();
            output.WriteLine($"{text.Split('\n').Length} line(s):\n{text}");

            Assert.Contains($"No IPC endpoint listens on port {gonePort} in '{_directory.Path}'", text);
            // Akka renders the transport's exception into the message; nothing of an inner exception may follow it.
            Assert.DoesNotContain("--->", text);
            Assert.DoesNotContain("inner exception", text);
            Assert.DoesNotContain("EndpointNotFoundException", text);
            Assert.All(Causes(warning.Cause).OfType<InvalidAssociationException>(), e => Assert.Null(e.InnerException));
        }
        finally
        {
            await system.Terminate().WaitAsync(Timeout);
        }
    }

    private static IEnumerable<Exception> Causes(Exception? e)
    {
        for (; e != null; e = e.InnerException)
            yield return e;
    }

    public void Dispose()
    {
        try
        {
            _directory.AssertEmpty();
        }
        finally
        {
            _directory.Dispose();
        }
    }
}
