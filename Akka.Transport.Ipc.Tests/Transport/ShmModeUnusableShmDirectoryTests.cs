using Akka.Configuration;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Transport;

/// <summary>mode = shm with an shm-directory nobody can create: the endpoint refuses to start, naming key and path.</summary>
public sealed class ShmModeUnusableShmDirectoryTests(ITestOutputHelper output) : Infrastructure.TransportTestKit("shm", output)
{
    /// <summary>Nobody can create a directory in /proc, not even root.</summary>
    private const string Unusable = "/proc/akka-ipc-unusable";

    [Fact]
    public async Task Listen_fails_with_a_configuration_error_naming_mode_and_the_shm_directory()
    {
        var transport = NewTransport($"shm-directory = \"{Unusable}\"");
        var error = await Assert.ThrowsAsync<ConfigurationException>(() => transport.Listen());
        Output?.WriteLine(error.Message);
        Assert.StartsWith("akka.remote.ipc.mode = 'shm' is not valid: shared memory is unusable here: ", error.Message);
        Assert.Contains(Unusable, error.Message);
        // Nothing of the failed endpoint stays: TransportTestKit checks the directory and semaphores are empty.
    }
}
