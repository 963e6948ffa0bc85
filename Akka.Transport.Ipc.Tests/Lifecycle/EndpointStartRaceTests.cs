using Akka.Configuration;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Configuration;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Lifecycle;

/// <summary>
/// An endpoint reachable at all is reachable over shared memory: a connect that finds a starting endpoint's accept
/// FIFO the moment it appears gets a shared-memory channel, not a FIFO one (mode = auto on both sides). The doorbell
/// that tells a connector "this endpoint serves shared memory" must exist before the accept FIFO does; the restart
/// spec's log showed an association made in that gap run over FIFOs for its whole life.
/// </summary>
public sealed class EndpointStartRaceTests(ITestOutputHelper output) : IDisposable
{
    private const int Rounds = 40;
    private readonly IpcTestDirectory _directory = new();

    [Fact]
    public async Task A_connect_that_races_an_endpoints_start_gets_shared_memory()
    {
        using var a = Listen(port: 0, "A");
        var kinds = new List<string>();
        for (int round = 0; round < Rounds; round++)
        {
            int port = 20000 + round;
            string acceptPath = a.Names.Accept(port);
            var starting = Task.Factory.StartNew(() => Listen(port, "B"), TaskCreationOptions.LongRunning);
            while (!File.Exists(acceptPath) && !starting.IsCompleted)
                Thread.SpinWait(20);
            using var b = Disposing(starting);
            var channel = await ConnectSoonest(a, port);
            kinds.Add(channel.Kind);
            channel.RequestClose();
            await channel.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        }
        output.WriteLine(string.Join(" ", kinds));
        Assert.True(kinds.All(k => k == "shm"), $"{kinds.Count(k => k != "shm")} of {Rounds} connects racing the start ran over FIFOs: {string.Join(" ", kinds)}");
    }

    /// <summary>
    /// Connects as soon as the endpoint answers at all: the FIFO exists a moment before its read end is open, and a
    /// connect in that moment is "not found" (Akka.Remote retries those).
    /// </summary>
    private static async Task<IChannel> ConnectSoonest(Rendezvous from, int port)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                return await from.ConnectAsync(port, TestEndpoints.AddressOf("B", port)).WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (EndpointNotFoundException) when (DateTime.UtcNow < deadline)
            {
            }
        }
    }

    /// <summary>The endpoint <paramref name="starting"/> gives, disposed with the result (also when the round fails).</summary>
    private static IDisposable Disposing(Task<Rendezvous> starting) => new Disposer(() =>
    {
        if (starting.Wait(TimeSpan.FromSeconds(10)))
        {
            starting.Result.CloseAllAsync(TimeSpan.Zero, TimeSpan.FromSeconds(2)).Wait(TimeSpan.FromSeconds(5));
            starting.Result.Dispose();
        }
    });

    private sealed class Disposer(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }

    private Rendezvous Listen(int port, string system)
    {
        var settings = IpcSettings.Create(ConfigurationFactory.ParseString(
            $"directory = \"{_directory.Path}\"\nmode = auto\nport = {port}").WithFallback(IpcSettings.DefaultConfig));
        return TestEndpoints.Listen(settings, system);
    }

    public void Dispose() => _directory.Dispose();
}
