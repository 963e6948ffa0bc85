using Akka.Actor;
using Akka.Configuration;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Reliability;

/// <summary>Every invalid value stops the ActorSystem from starting, with a message naming the key and the value.</summary>
public sealed class BadConfigurationTests(ITestOutputHelper output) : TransportTestKit("auto", output)
{
    [Theory]
    [InlineData("ring-size", "-1")]
    [InlineData("ring-size", "0")]
    [InlineData("maximum-frame-size", "1000b")]
    [InlineData("mode", "carrier-pigeon")]
    [InlineData("port", "70000")]
    [InlineData("port", "-1")]
    [InlineData("connection-timeout", "0s")]
    [InlineData("directory", "/proc/akka-ipc-cannot-be-created")]
    public void An_invalid_value_fails_the_ActorSystem_start_naming_key_and_value(string key, string value)
    {
        var error = StartFails($"{key} = \"{value}\"");
        Assert.Contains($"akka.remote.ipc.{key}", error);
        Assert.Contains(value, error);
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

    /// <summary>Starts an ActorSystem with the IPC transport and returns every message of the failure's chain.</summary>
    private string StartFails(string section, bool useTestDirectory = true)
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
        string all = string.Join(" | ", messages);
        Output?.WriteLine(all);
        return all;
    }

    private static IEnumerable<string> Chain(Exception e)
    {
        for (Exception? x = e; x != null; x = x.InnerException)
            yield return x.Message;
    }
}
