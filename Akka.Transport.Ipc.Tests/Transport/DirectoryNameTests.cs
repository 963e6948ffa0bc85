using Akka.Remote.Transport;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Transport;

/// <summary>One directory, however it is written: names derived from it (semaphores) are the same.</summary>
public sealed class DirectoryNameTests(ITestOutputHelper output) : TransportTestKit("shm", output)
{
    [Fact]
    public async Task A_directory_written_with_a_trailing_slash_is_the_same_directory()
    {
        var a = NewTransport("mode = shm");
        var b = NewTransport($"mode = shm\ndirectory = \"{IpcDirectory.Path}/\"");
        await ListenAsync(a);
        var addressB = await ListenAsync(b);
        var outbound = await a.Associate(addressB).WaitAsync(Timeout); // needs b's doorbell under the same name
        ExpectMsg<InboundAssociation>(Timeout);
        Assert.Equal(addressB, outbound.RemoteAddress);
    }
}
