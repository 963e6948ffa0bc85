using System.Collections.Concurrent;
using Akka.Configuration;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Configuration;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Channels;

/// <summary>
/// Associations offered and accepted while endpoints shut down: every channel either side created completes
/// (is serviced to its end and released), nothing hangs, and nothing is left in the directory.
/// </summary>
public sealed class ShutdownRaceTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly IpcTestDirectory _directory = new();

    private IpcSettings Settings(string mode) => IpcSettings.Create(ConfigurationFactory.ParseString(
        $"directory = \"{_directory.Path}\"\nmode = {mode}\nring-size = 4KiB\nconnection-timeout = 3s\nflush-timeout = 1s"));

    [Theory]
    [InlineData("shm")]
    [InlineData("fifo")]
    public async Task Connects_and_accepts_racing_shutdown_all_complete_and_leave_nothing(string mode)
    {
        var channels = new ConcurrentQueue<IChannel>();
        int connected = 0, failed = 0;
        for (int round = 0; round < 10; round++)
        {
            var server = TestEndpoints.Listen(Settings(mode), "Server", offer => channels.Enqueue(offer.Channel));
            var clients = Enumerable.Range(0, 3)
                .Select(_ => TestEndpoints.Listen(Settings(mode), "Client", offer => channels.Enqueue(offer.Channel)))
                .ToArray();
            var connects = clients.SelectMany(c => Enumerable.Range(0, 4).Select(_ => Task.Run(() => c.ConnectAsync(server.Port, TestEndpoints.AddressOf("Server", server.Port))))).ToList();
            await Task.Delay(round % 5); // shut down at varying points of the handshakes
            var disposals = new[] { server }.Concat(clients).Select(r => Task.Run(r.Dispose)).ToArray();

            Assert.True(await Task.WhenAll(disposals).CompletesWithin(Timeout), "a Dispose hung");
            foreach (var connect in connects)
            {
                try
                {
                    channels.Enqueue(await connect.WaitAsync(Timeout));
                    connected++;
                }
                catch (Exception)
                {
                    Assert.True(connect.IsCompleted, "a connect hung");
                    failed++;
                }
            }
        }
        foreach (var channel in channels)
            Assert.True(await channel.Completion.CompletesWithin(Timeout), $"a {channel.Kind} channel was never closed");
        output.WriteLine($"{mode}: {connected} connects succeeded, {failed} failed, {channels.Count} channels, all completed");
        _directory.AssertEmpty();
    }

    [Fact]
    public async Task Associating_after_shutdown_fails_at_once_naming_it()
    {
        using var server = TestEndpoints.Listen(Settings("shm"), "Server");
        var client = TestEndpoints.Listen(Settings("shm"), "Client");
        client.Dispose();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => client.ConnectAsync(server.Port, TestEndpoints.AddressOf("Server", server.Port)).WaitAsync(Timeout));
        Assert.Contains("shut down", error.Message);
    }

    public void Dispose() => _directory.Dispose();
}
