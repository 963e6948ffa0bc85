using System.Text;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Soak;

/// <summary>
/// The driver's view of a node life's output file (<see cref="SoakLifeOutput"/>) while the life still writes it: every
/// line whole, in order, none lost, however the writes cut the lines and whenever the driver reads. A CI run of the
/// chaos soak once failed because the reader skipped the bytes appended during a read ("akka.ipc://Soak3@…" became
/// "akka.ipc://ak3@…", and no node could reach the address the driver broadcast).
/// </summary>
public sealed class SoakLifeOutputTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("soak-output-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Lines_written_in_pieces_while_the_driver_reads_arrive_whole_and_in_order()
    {
        const int Lines = 20_000;
        string path = Path.Combine(_directory, "node3-life2.out");
        var expected = Enumerable.Range(0, Lines).Select(i => $"SOAK-LIFE {i} akka.ipc://Soak3@localhost:{i % 65536} ünïcödé {i}").ToList();
        var reader = new SoakLifeOutput(path);
        int reads = 0;
        using var done = new CancellationTokenSource();
        var reading = Task.Run(() =>
        {
            while (!done.IsCancellationRequested)
            {
                _ = reader.OutputLines;
                Interlocked.Increment(ref reads);
            }
        });

        SpinWait.SpinUntil(() => Volatile.Read(ref reads) > 0, TimeSpan.FromSeconds(10));
        // The writer cuts the text anywhere, inside multi-byte characters too, and flushes each piece on its own.
        byte[] all = Encoding.UTF8.GetBytes(string.Concat(expected.Select(l => l + "\n")));
        var random = new Random(7);
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite))
        {
            for (int at = 0; at < all.Length;)
            {
                int piece = Math.Min(random.Next(1, 40), all.Length - at);
                file.Write(all, at, piece);
                file.Flush();
                at += piece;
                if (random.Next(64) == 0)
                    Thread.Yield(); // let the reader in mid-line now and then, on a machine of few cores
            }
        }
        done.Cancel();
        await reading;

        var lines = reader.OutputLines;
        output.WriteLine($"{reads} reads while {all.Length} bytes were written in pieces of 1-39 bytes");
        Assert.True(reads > 100, $"the driver read only {reads} times while the file was written: the test did not race");
        Assert.Equal(Lines, lines.Count);
        for (int i = 0; i < Lines; i++)
            Assert.True(expected[i] == lines[i], $"line {i}: expected \"{expected[i]}\", read \"{lines[i]}\"");
    }

    [Fact]
    public void A_line_without_its_newline_yet_is_not_taken()
    {
        string path = Path.Combine(_directory, "node0-life0.out");
        var reader = new SoakLifeOutput(path);
        Assert.Empty(reader.OutputLines);
        File.AppendAllText(path, "SOAK-LIFE 1 akka.ipc://So");
        Assert.Empty(reader.OutputLines);
        File.AppendAllText(path, "ak0@localhost:1 42\nSOAK-PEERS");
        Assert.Equal(["SOAK-LIFE 1 akka.ipc://Soak0@localhost:1 42"], reader.OutputLines);
        File.AppendAllText(path, "-APPLIED 2 1\r\n");
        Assert.Equal(["SOAK-LIFE 1 akka.ipc://Soak0@localhost:1 42", "SOAK-PEERS-APPLIED 2 1"], reader.OutputLines);
    }
}
