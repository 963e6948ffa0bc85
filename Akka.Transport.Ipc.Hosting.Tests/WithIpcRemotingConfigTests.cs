using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Remote;
using Akka.Remote.Hosting;
using Akka.Transport.Ipc.Configuration;
using Akka.Transport.Ipc.Hosting;
using Akka.Transport.Ipc.Hosting.Tests.Infrastructure;

namespace Akka.Transport.Ipc.Hosting.Tests;

/// <summary>
/// What <c>WithIpcRemoting</c> gives a real host's ActorSystem: the transport enabled alone, the reference defaults
/// under everything, the caller's keys over everything, the provider switched as Akka.Remote.Hosting switches it.
/// Every host listens for real in the test's own directory, which must be empty once it has stopped.
/// </summary>
public sealed class WithIpcRemotingConfigTests : IDisposable
{
    private readonly IpcDirectory _directory = new();

    [Fact]
    public async Task Without_options_the_system_runs_the_ipc_transport_alone_with_every_reference_default()
    {
        await using (var node = await HostedSystem.StartAsync("Sys", b => b.WithIpcRemoting(directory: _directory.Path)))
        {
            var config = node.System.Settings.Config;
            Assert.Equal(["akka.remote.ipc"], config.GetStringList("akka.remote.enabled-transports"));
            Assert.Equal("Akka.Transport.Ipc.IpcTransport, Akka.Transport.Ipc", config.GetString("akka.remote.ipc.transport-class"));
            Assert.IsType<RemoteActorRefProvider>(((ExtendedActorSystem)node.System).Provider);
            // Every key but the directory (set) has ipc.conf's value.
            Assert.Equal(IpcSettings.Create(Config.Empty) with { Directory = _directory.Path },
                IpcSettings.Create(config.GetConfig("akka.remote.ipc")));

            Assert.Equal("akka.ipc", node.Address.Protocol);
            Assert.Equal("localhost", node.Address.Host);
            Assert.InRange(node.Address.Port!.Value, 1, 65535);
            Assert.True(File.Exists(Path.Combine(_directory.Path, $"{node.Address.Port}.lock")), "the endpoint is not in the test's directory");
            // Shared memory works here, so the endpoint has its doorbell: proves the test's semaphore leak check sees them.
            Assert.Equal([$"/dev/shm/{_directory.SemaphorePattern.TrimEnd('*')}{node.Address.Port}"], _directory.Semaphores());
        }
        _directory.AssertEmpty();
    }

    [Fact]
    public async Task Every_option_set_reaches_the_running_transport()
    {
        var options = new IpcRemoteOptions
        {
            Hostname = "ipc-host",
            Port = 4321,
            Directory = _directory.Path,
            Mode = IpcMode.Fifo,
            ShmDirectory = _directory.Path,
            RingSize = 65536,
            MaximumFrameSize = 256000,
            SendQueueLimit = 1 << 20,
            ConnectionTimeout = TimeSpan.FromSeconds(3),
            FlushTimeout = TimeSpan.FromMilliseconds(1500),
            NetworkTransport = "",
            CertainDeath = false,
            DownDeadPeers = false,
            ReceiverPollTime = TimeSpan.FromMilliseconds(2),
            ReceiverProfile = true,
        };
        await using (var node = await HostedSystem.StartAsync("Sys", b => b.WithIpcRemoting(options)))
        {
            var config = node.System.Settings.Config;
            Assert.Equal(new IpcSettings("ipc-host", 4321, _directory.Path, IpcMode.Fifo, _directory.Path, 65536, 256000, 1 << 20,
                TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(1500), "") with
                {
                    CertainDeath = false, DownDeadPeers = false, ReceiverPollTime = TimeSpan.FromMilliseconds(2), ReceiverProfile = true,
                },
                IpcSettings.Create(config.GetConfig("akka.remote.ipc")));
            // certain-death off is the option's (the default is on); down-dead-peers stays off: on needs Akka.Cluster.
            Assert.Equal(Address.Parse("akka.ipc://Sys@ipc-host:4321"), node.Address);
        }
        _directory.AssertEmpty();
    }

    /// <summary>The reference goes under the application's HOCON (Append), the options over it (Prepend).</summary>
    [Fact]
    public async Task Options_override_the_applications_hocon_and_the_reference_defaults_do_not()
    {
        await using (var node = await HostedSystem.StartAsync("Sys", b => b
            .AddHocon("akka.remote.ipc { ring-size = 8KiB, flush-timeout = 2s }", HoconAddMode.Prepend)
            .WithIpcRemoting(o => { o.Directory = _directory.Path; o.RingSize = 16384; })))
        {
            var settings = IpcSettings.Create(node.System.Settings.Config.GetConfig("akka.remote.ipc"));
            Assert.Equal(16384, settings.RingSize);                        // the option, over the application's 8KiB
            Assert.Equal(TimeSpan.FromSeconds(2), settings.FlushTimeout);  // the application's, not the reference's 5s
        }
        _directory.AssertEmpty();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WithClustering_before_or_after_selects_the_cluster_provider_over_ipc(bool clusteringFirst)
    {
        await using (var node = await HostedSystem.StartAsync("Sys", b =>
        {
            if (clusteringFirst)
                b.WithClustering();
            b.WithIpcRemoting(directory: _directory.Path);
            if (!clusteringFirst)
                b.WithClustering();
        }))
        {
            Assert.IsType<ClusterActorRefProvider>(((ExtendedActorSystem)node.System).Provider);
            Assert.Equal(["akka.remote.ipc"], node.System.Settings.Config.GetStringList("akka.remote.enabled-transports"));
            Assert.Equal("akka.ipc", Cluster.Cluster.Get(node.System).SelfAddress.Protocol);
        }
        _directory.AssertEmpty();
    }

    /// <summary>
    /// Hybrid: NetworkTransport names dot-netty, whose section Akka.Remote.Hosting's WithRemoting writes, in either
    /// order; ipc stays the one enabled transport, the address is dot-netty's, and two such nodes talk.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task With_NetworkTransport_and_WithRemoting_in_either_order_the_node_is_hybrid_and_answers(bool remotingFirst)
    {
        void Configure(AkkaConfigurationBuilder b)
        {
            if (remotingFirst)
                b.WithRemoting("127.0.0.1", 0);
            b.WithIpcRemoting(o => { o.Directory = _directory.Path; o.NetworkTransport = "akka.remote.dot-netty.tcp"; });
            if (!remotingFirst)
                b.WithRemoting("127.0.0.1", 0);
        }

        await using (var server = await HostedSystem.StartAsync("Hybrid", b =>
        {
            Configure(b);
            b.WithActors((system, _) => system.ActorOf(Props.Create(() => new EchoActor()), "echo"));
        }))
        await using (var client = await HostedSystem.StartAsync("Hybrid", Configure))
        {
            foreach (var node in new[] { server, client })
            {
                var config = node.System.Settings.Config;
                Assert.Equal(["akka.remote.ipc"], config.GetStringList("akka.remote.enabled-transports"));
                Assert.Equal("akka.remote.dot-netty.tcp", config.GetString("akka.remote.ipc.network-transport"));
                Assert.Equal("akka.tcp", node.Address.Protocol);
                Assert.Equal("127.0.0.1", node.Address.Host);
            }
            var echo = await client.System.ActorSelection($"{server.Address}/user/echo").ResolveOne(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
            Assert.Equal("over shm", await echo.Ask<string>("over shm", TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken));
        }
        _directory.AssertEmpty();
    }

    /// <summary>An invalid value fails the host's start with the transport's own message: key, value, rule.</summary>
    [Theory]
    [InlineData("port", "akka.remote.ipc.port = '70000' is not valid: must be 0 (pick a free endpoint) or 1-65535.")]
    [InlineData("ring-size", "akka.remote.ipc.ring-size = '0b' is not valid: must be between 1 and 1073741824 bytes (rounded up to a power of two, at least 4096).")]
    [InlineData("maximum-frame-size", "akka.remote.ipc.maximum-frame-size = '1000b' is not valid: must be between 32000 and 1073741824 bytes.")]
    [InlineData("connection-timeout", "akka.remote.ipc.connection-timeout = '0ms' is not valid: must be greater than zero.")]
    [InlineData("flush-timeout", "akka.remote.ipc.flush-timeout = '-00:00:01' is not valid: must not be negative.")]
    [InlineData("mode", "akka.remote.ipc.mode = '42' is not valid: valid values are auto, shm and fifo.")]
    [InlineData("receiver-poll-time", "akka.remote.ipc.receiver-poll-time = '2000ms' is not valid: must be between 0s and 1s.")]
    public async Task An_invalid_option_fails_the_hosts_start_naming_the_key_and_the_value(string key, string message)
    {
        var options = new IpcRemoteOptions { Directory = _directory.Path };
        switch (key)
        {
            case "port": options.Port = 70000; break;
            case "ring-size": options.RingSize = 0; break;
            case "maximum-frame-size": options.MaximumFrameSize = 1000; break;
            case "connection-timeout": options.ConnectionTimeout = TimeSpan.Zero; break;
            case "flush-timeout": options.FlushTimeout = TimeSpan.FromSeconds(-1); break;
            case "mode": options.Mode = (IpcMode)42; break;
            case "receiver-poll-time": options.ReceiverPollTime = TimeSpan.FromSeconds(2); break;
        }
        using var host = HostedSystem.Build("Sys", b => b.WithIpcRemoting(options));
        var error = await Assert.ThrowsAsync<ConfigurationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        Assert.Equal(message, error.Message);
        _directory.AssertEmpty();
    }

    public void Dispose() => _directory.Dispose();

    private sealed class EchoActor : ReceiveActor
    {
        public EchoActor() => ReceiveAny(message => Sender.Tell(message));
    }
}
