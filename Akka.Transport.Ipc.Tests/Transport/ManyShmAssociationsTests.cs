using Akka.Remote.Transport;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Transport;

/// <summary>
/// 32 shared-memory associations into one transport all work at once, and that transport runs the same threads
/// as with one association: one receiver for every ring, one poll thread, never a thread per association.
/// </summary>
public sealed class ManyShmAssociationsTests(ITestOutputHelper output) : TransportTestKit("shm", output)
{
    private const int Associations = 32;

    [Fact]
    public async Task Thirty_two_associations_are_served_by_the_listener_s_two_threads()
    {
        var server = NewTransport();
        var address = await ListenAsync(server);
        int port = address.Port!.Value;
        var ports = new List<int> { port };
        var outbounds = new List<AssociationHandle>();
        var receivers = new List<RecordingHandleListener>();
        for (int i = 0; i < Associations; i++)
        {
            var client = NewTransport();
            ports.Add((await ListenAsync(client, CreateTestProbe())).Port!.Value);
            outbounds.Add(await client.Associate(address).WaitAsync(Timeout));
            var inbound = (await ExpectMsgAsync<InboundAssociation>(Timeout)).Association;
            var receiver = new RecordingHandleListener();
            inbound.ReadHandlerSource.SetResult(receiver);
            receivers.Add(receiver);
        }

        for (int round = 0; round < 100; round++)
            for (int i = 0; i < Associations; i++)
                Assert.True(outbounds[i].Write(ByteString.CopyFromUtf8($"{i}:{round}")));
        for (int i = 0; i < Associations; i++)
        {
            var receiver = receivers[i];
            await AwaitAssertAsync(() => Assert.Equal(100, receiver.PayloadCount), Timeout);
            Assert.Equal(Enumerable.Range(0, 100).Select(r => $"{i}:{r}"),
                receiver.Payloads.Select(p => System.Text.Encoding.UTF8.GetString(p)));
        }

        // Thread names are "ipc-poll-<port>" and "ipc-rings-<port>"; Linux keeps 15 characters of them.
        var names = ThreadNames().ToList();
        string[] ThreadsOf(int p) => names.Where(n => n == Truncate($"ipc-poll-{p}") || n == Truncate($"ipc-rings-{p}")).Order(StringComparer.Ordinal).ToArray();
        Output?.WriteLine($"listener {port} threads: {string.Join(", ", ThreadsOf(port))}");
        Assert.Equal(new[] { Truncate($"ipc-poll-{port}"), Truncate($"ipc-rings-{port}") }.Order(StringComparer.Ordinal), ThreadsOf(port));
        // Every transport of this test (33) runs exactly those two; none more per association.
        Assert.All(ports, p => Assert.Equal(2, ThreadsOf(p).Length));
        Assert.Equal(2 * ports.Count, names.Count(n => ports.Any(p => n == Truncate($"ipc-poll-{p}") || n == Truncate($"ipc-rings-{p}"))));
    }

    private static string Truncate(string name) => name.Length > 15 ? name[..15] : name;

    private static IEnumerable<string> ThreadNames() =>
        Directory.GetDirectories("/proc/self/task").Select(task =>
        {
            try
            {
                return File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n');
            }
            catch (IOException)
            {
                return ""; // the thread ended meanwhile
            }
        });
}
