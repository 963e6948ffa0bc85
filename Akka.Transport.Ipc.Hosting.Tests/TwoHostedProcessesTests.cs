using Akka.Actor;
using Akka.Hosting;
using Akka.Transport.Ipc.Configuration;
using Akka.Transport.Ipc.Hosting.Tests.Infrastructure;

namespace Akka.Transport.Ipc.Hosting.Tests;

/// <summary>
/// Two generic hosts in two processes, each configured by WithIpcRemoting alone: this test's (Akka.Hosting.TestKit's
/// host) and examples/HostedPingPong's pong, configured from its command line. Every message comes back, in order,
/// with its content; the pong stops cleanly on SIGTERM and nothing is left in the directory.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class TwoHostedProcessesTests(ITestOutputHelper output) : Akka.Hosting.TestKit.TestKit("Ping", output)
{
    private const int Messages = 2000;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly IpcDirectory _directory = new();

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider) =>
        builder.WithIpcRemoting(o => { o.Directory = _directory.Path; o.Mode = IpcMode.Shm; });

    [Fact]
    public async Task A_hosted_pong_in_another_process_answers_every_message_in_order_and_stops_cleanly_on_SIGTERM()
    {
        var errors = ErrorLog.Install(Sys);
        try
        {
            using (var pong = HostedPongProcess.Start(Output!.WriteLine, "--Ipc:Directory", _directory.Path, "--Ipc:Mode", "Shm"))
            {
                var address = await pong.Address.WaitAsync(Timeout, TestContext.Current.CancellationToken);
                Assert.Equal("akka.ipc", address.Protocol);
                var echo = await Sys.ActorSelection($"{address}/user/pong").ResolveOne(Timeout, TestContext.Current.CancellationToken);

                for (int i = 0; i < Messages; i++)
                    echo.Tell($"message {i}", TestActor);
                for (int i = 0; i < Messages; i++)
                    ExpectMsg($"message {i}", Timeout, cancellationToken: TestContext.Current.CancellationToken);

                var (exitCode, printed) = await pong.TerminateAsync(Timeout);
                Assert.Equal(0, exitCode);
                Assert.Contains("pong: stopped", printed);
            }
            await Host.StopAsync(TestContext.Current.CancellationToken);
            await Sys.WhenTerminated.WaitAsync(Timeout, TestContext.Current.CancellationToken);
            errors.AssertNoUnexpectedErrors();
            _directory.AssertEmpty();
        }
        finally
        {
            _directory.Dispose();
        }
    }
}
