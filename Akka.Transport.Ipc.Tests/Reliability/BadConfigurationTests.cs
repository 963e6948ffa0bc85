using Akka.Actor;
using Akka.Configuration;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Reliability;

/// <summary>Every invalid value stops the ActorSystem from starting, with a message naming the key and the value.</summary>
public sealed class BadConfigurationTests(ITestOutputHelper output) : TransportTestKit("auto", output)
{
    private const string RingRule = "must be between 1 and 1073741824 bytes (rounded up to a power of two, at least 4096).";
    private const string PortRule = "must be 0 (pick a free endpoint) or 1-65535.";

    /// <summary>The whole message: key, the value in quotes, the rule (a bare value like "0" proves nothing).</summary>
    [Theory]
    [InlineData("ring-size", "-1", RingRule)]
    [InlineData("ring-size", "0", RingRule)]
    [InlineData("maximum-frame-size", "1000b", "must be between 32000 and 1073741824 bytes.")]
    [InlineData("mode", "carrier-pigeon", "valid values are auto, shm and fifo.")]
    [InlineData("port", "70000", PortRule)]
    [InlineData("port", "-1", PortRule)]
    [InlineData("connection-timeout", "0s", "must be greater than zero.")]
    [InlineData("directory", "/proc/akka-ipc-cannot-be-created", "cannot be created: ")] // then the OS's words
    public void An_invalid_value_fails_the_ActorSystem_start_naming_key_and_value(string key, string value, string rule)
    {
        var messages = StartFailures($"{key} = \"{value}\"");
        string expected = $"akka.remote.ipc.{key} = '{value}' is not valid: {rule}";
        Assert.True(messages.Any(m => rule.EndsWith('.') ? m == expected : m.StartsWith(expected, StringComparison.Ordinal)),
            $"no message {(rule.EndsWith('.') ? "equal to" : "starting with")} \"{expected}\" in: {string.Join(" | ", messages)}");
    }

    [Fact]
    public void A_directory_that_is_a_file_fails_the_start_naming_the_key()
    {
        string file = Path.Combine(IpcDirectory.Path, "not-a-directory");
        File.WriteAllText(file, "");
        try
        {
            Assert.Contains("akka.remote.ipc.directory", StartFails($"directory = \"{file}\"", useTestDirectory: false));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_port_owned_by_a_live_endpoint_fails_the_start_naming_the_key()
    {
        var owner = NewTransport();
        int port = (await ListenAsync(owner)).Port!.Value;
        var error = StartFails($"port = {port}");
        Assert.Contains("akka.remote.ipc.port", error);
        Assert.Contains($"'{port}'", error);
    }

    /// <summary>Starts an ActorSystem with the IPC transport and returns every message of the failure's chain, joined.</summary>
    private string StartFails(string section, bool useTestDirectory = true) =>
        string.Join(" | ", StartFailures(section, useTestDirectory));

    /// <summary>Starts an ActorSystem with the IPC transport and returns every message of the failure's chain.</summary>
    private List<string> StartFailures(string section, bool useTestDirectory = true)
    {
        string directory = useTestDirectory && !section.StartsWith("directory", StringComparison.Ordinal)
            ? $"directory = \"{IpcDirectory.Path}\"\n" : "";
        var config = ConfigurationFactory.ParseString($$"""
            akka.loglevel = OFF
            akka.actor.provider = remote
            akka.remote.enabled-transports = ["akka.remote.ipc"]
            akka.remote.ipc {
              transport-class = "Akka.Transport.Ipc.IpcTransport, Akka.Transport.Ipc"
              {{directory}}{{section}}
            }
            """);
        var error = Assert.ThrowsAny<Exception>(() =>
        {
            var system = ActorSystem.Create("BadConfig", config);
            system.Terminate().Wait(Timeout);
        });
        var messages = new List<string>();
        for (Exception? e = error; e != null; e = e.InnerException)
            messages.Add(e.Message);
        if (error is AggregateException aggregate)
            messages.AddRange(aggregate.Flatten().InnerExceptions.SelectMany(Chain));
        Output?.WriteLine(string.Join(" | ", messages));
        return messages;
    }

    private static IEnumerable<string> Chain(Exception e)
    {
        for (Exception? x = e; x != null; x = x.InnerException)
            yield return x.Message;
    }
}
