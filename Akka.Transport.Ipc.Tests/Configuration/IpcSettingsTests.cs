using Akka.Configuration;
using Akka.Transport.Ipc.Configuration;

namespace Akka.Transport.Ipc.Tests.Configuration;

public sealed class IpcSettingsTests
{
    private static IpcSettings Parse(string hocon) => IpcSettings.Create(ConfigurationFactory.ParseString(hocon));

    [Fact]
    public void An_empty_section_gets_the_documented_defaults()
    {
        var settings = Parse("");
        Assert.Equal("localhost", settings.Hostname);
        Assert.Equal(0, settings.Port);
        Assert.Equal("", settings.Directory);
        Assert.Equal(IpcMode.Auto, settings.Mode);
        Assert.Equal("", settings.ShmDirectory);
        Assert.Equal(settings.ResolvedDirectory, settings.ResolvedShmDirectory);
        Assert.Equal(512 * 1024, settings.RingSize);
        Assert.Equal(128000, settings.MaximumFrameSize);
        Assert.Equal(64L << 20, settings.SendQueueLimit);
        Assert.Equal(TimeSpan.FromSeconds(15), settings.ConnectionTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.FlushTimeout);
        Assert.Equal(TimeSpan.Zero, settings.ReceiverPollTime);
        Assert.EndsWith($"/akka-ipc-{Mono.Unix.Native.Syscall.getuid()}", settings.ResolvedDirectory);
    }

    [Theory]
    [InlineData("ring-size = 5000", 8192)]
    [InlineData("ring-size = 1000", 4096)]
    [InlineData("ring-size = 64KiB", 65536)]
    public void Ring_size_is_rounded_up_to_a_power_of_two(string hocon, int expected) =>
        Assert.Equal(expected, Parse(hocon).RingSize);

    [Theory]
    [InlineData("ring-size = -1", "ring-size")]
    [InlineData("ring-size = 0", "ring-size")]
    [InlineData("ring-size = 2GiB", "ring-size")]
    [InlineData("ring-size = lots", "ring-size")]
    [InlineData("maximum-frame-size = 1000b", "maximum-frame-size")]
    [InlineData("maximum-frame-size = -5", "maximum-frame-size")]
    [InlineData("port = -1", "port")]
    [InlineData("port = 65536", "port")]
    [InlineData("port = abc", "port")]
    [InlineData("mode = carrier-pigeon", "mode")]
    [InlineData("hostname = \"\"", "hostname")]
    [InlineData("connection-timeout = 0s", "connection-timeout")]
    [InlineData("connection-timeout = soon", "connection-timeout")]
    [InlineData("send-queue-limit = -1", "send-queue-limit")]
    [InlineData("flush-timeout = -1s", "flush-timeout")]
    [InlineData("receiver-poll-time = -1ms", "receiver-poll-time")]
    [InlineData("receiver-poll-time = 2s", "receiver-poll-time")]
    [InlineData("receiver-poll-time = briefly", "receiver-poll-time")]
    [InlineData("receiver-profile = sometimes", "receiver-profile")]
    public void An_invalid_value_fails_naming_its_key_and_value(string hocon, string key)
    {
        var error = Assert.Throws<ConfigurationException>(() => Parse(hocon));
        Assert.Contains("akka.remote.ipc." + key, error.Message);
        string value = hocon.Split('=', 2)[1].Trim().Trim('"');
        Assert.Contains($"'{value}'", error.Message);
    }

    [Theory]
    [InlineData("receiver-poll-time = 1ms", 1)]
    [InlineData("receiver-poll-time = 500ms", 500)]
    [InlineData("receiver-poll-time = 1s", 1000)]
    public void Receiver_poll_time_takes_durations_up_to_a_second(string hocon, double milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), Parse(hocon).ReceiverPollTime);

    [Theory]
    [InlineData("", false)]
    [InlineData("receiver-profile = on", true)]
    [InlineData("receiver-profile = off", false)]
    public void Receiver_profile_is_off_unless_turned_on(string hocon, bool expected) =>
        Assert.Equal(expected, Parse(hocon).ReceiverProfile);

    [Theory]
    [InlineData("auto", IpcMode.Auto)]
    [InlineData("shm", IpcMode.Shm)]
    [InlineData("fifo", IpcMode.Fifo)]
    [InlineData("FIFO", IpcMode.Fifo)]
    public void Mode_accepts_its_three_values(string value, IpcMode expected) =>
        Assert.Equal(expected, Parse($"mode = {value}").Mode);

    [Theory]
    [InlineData("directory")]
    [InlineData("shm-directory")]
    public void A_directory_that_is_a_file_is_refused_naming_the_key(string key)
    {
        string file = Path.GetTempFileName();
        try
        {
            var error = Assert.Throws<ConfigurationException>(() => Parse($"{key} = \"{file}\""));
            Assert.Contains("akka.remote.ipc." + key, error.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Every_key_in_the_reference_config_is_read_and_every_read_key_is_documented()
    {
        var documented = IpcSettings.DefaultConfig.AsEnumerable().Select(kv => kv.Key).ToHashSet();
        // Keys Akka.Remote itself reads from a transport section.
        documented.ExceptWith(new[] { "transport-class", "applied-adapters" });
        var read = typeof(IpcSettings).GetProperties()
            .Where(p => p.DeclaringType == typeof(IpcSettings) && p.CanWrite)
            .Select(p => KebabCase(p.Name))
            .ToHashSet();
        Assert.Equal(documented.OrderBy(k => k), read.OrderBy(k => k));
    }

    private static string KebabCase(string name) => name switch
    {
        "MaximumFrameSize" => "maximum-frame-size",
        _ => string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "-" : "") + char.ToLowerInvariant(c) : c.ToString())),
    };
}
