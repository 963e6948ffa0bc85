using System.Text;
using Akka.Configuration;
using Akka.Transport.Ipc.Configuration;
using Akka.Transport.Ipc.Hosting.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace Akka.Transport.Ipc.Hosting.Tests;

/// <summary>
/// IpcRemoteOptions bound from an appsettings.json section, as a hosted app configures everything else, reach the
/// running transport; a bad value in the file fails the host's start naming the key.
/// </summary>
public sealed class OptionsFromJsonTests : IDisposable
{
    private readonly IpcDirectory _directory = new();

    [Fact]
    public async Task Options_bound_from_an_appsettings_section_reach_the_running_transport()
    {
        var options = Bind($$"""
            {
              "Akka": {
                "Ipc": {
                  "Hostname": "json-host",
                  "Port": 4322,
                  "Directory": "{{_directory.Path}}",
                  "Mode": "Fifo",
                  "RingSize": 65536,
                  "MaximumFrameSize": 256000,
                  "SendQueueLimit": 2097152,
                  "ConnectionTimeout": "00:00:03",
                  "FlushTimeout": "00:00:01.500",
                  "CertainDeath": false,
                  "DownDeadPeers": false
                }
              }
            }
            """);
        await using (var node = await HostedSystem.StartAsync("Json", b => b.WithIpcRemoting(options)))
        {
            var config = node.System.Settings.Config;
            Assert.Equal(new IpcSettings("json-host", 4322, _directory.Path, IpcMode.Fifo, "", 65536, 256000, 2097152,
                TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(1500)) with { CertainDeath = false, DownDeadPeers = false },
                IpcSettings.Create(config.GetConfig("akka.remote.ipc")));
            // certain-death off is the option's (the default is on); down-dead-peers stays off: on needs Akka.Cluster.
            Assert.Equal("akka.ipc://Json@json-host:4322", node.Address.ToString());
        }
        _directory.AssertEmpty();
    }

    [Theory]
    [InlineData("\"Port\": 70000", "akka.remote.ipc.port = '70000' is not valid: must be 0 (pick a free endpoint) or 1-65535.")]
    [InlineData("\"RingSize\": 2147483648", "akka.remote.ipc.ring-size = '2147483648b' is not valid: must be between 1 and 1073741824 bytes (rounded up to a power of two, at least 4096).")]
    [InlineData("\"ConnectionTimeout\": \"00:00:00\"", "akka.remote.ipc.connection-timeout = '0ms' is not valid: must be greater than zero.")]
    public async Task A_bad_value_in_the_file_fails_the_hosts_start_naming_the_key(string entry, string message)
    {
        var options = Bind($$"""{ "Akka": { "Ipc": { "Directory": "{{_directory.Path}}", {{entry}} } } }""");
        using var host = HostedSystem.Build("Json", b => b.WithIpcRemoting(options));
        var error = await Assert.ThrowsAsync<ConfigurationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        Assert.Equal(message, error.Message);
        _directory.AssertEmpty();
    }

    public void Dispose() => _directory.Dispose();

    private static IpcRemoteOptions Bind(string json)
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        return configuration.GetSection("Akka:Ipc").Get<IpcRemoteOptions>() ?? throw new InvalidOperationException("the section is missing");
    }
}
