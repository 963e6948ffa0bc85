using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Primitives;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Akka.Transport.Ipc.Tests.NodeHost;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Reliability;

/// <summary>
/// The listener side of a full file system: a forged client offers a SPARSE segment (only its header page backed)
/// on a 3 MiB tmpfs that the test then fills up. The listening node must refuse it with the reason written in the
/// segment (touching no unbacked page: reading one would raise SIGBUS), stay alive, and keep serving its other
/// association, whose every message arrives in order.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class SparseSegmentTests : MultiProcessTestKit
{
    private const int Ring = 64 * 1024;
    private const int PerRound = 5_000;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);
    private readonly SmallTmpfs _tmpfs;
    private Inbox? _inbox;

    public SparseSegmentTests(ITestOutputHelper output) : this(SmallTmpfs.Mount(), output)
    {
    }

    private SparseSegmentTests(SmallTmpfs tmpfs, ITestOutputHelper output) : base(output, ringSize: "64KiB") => _tmpfs = tmpfs;

    [SkippableFact]
    public async Task A_sparse_segment_on_a_full_tmpfs_is_refused_with_its_reason_and_the_listener_keeps_serving()
    {
        Skip.IfNot(_tmpfs.Mounted, _tmpfs.SkipReason);
        var node = await StartNodeAsync("Listener", shmDirectory: _tmpfs.Path);
        var verifier = await Sys.ActorSelection($"{node.Address}/user/per-sender-verifier").ResolveOne(Timeout);
        await StreamAsync(verifier, 0); // the other association, over a segment in the IPC directory

        var forger = new SparsePeer(IpcDirectory.Path, _tmpfs.Path);
        string segment = forger.CreateSparseSegment(Ring, wireFrameLimit: 128000 + Ipc.Configuration.IpcSettings.EnvelopeHeadroom);
        string filler = _tmpfs.Fill();
        TestOutput.WriteLine($"tmpfs full: {_tmpfs.FreeBytes()} bytes free; offering the sparse {segment}");
        try
        {
            forger.Offer(node.Address.Port!.Value);
            int state = await forger.WaitForAnswerAsync(TimeSpan.FromSeconds(10));
            await Task.Delay(500); // a listener that touched an unbacked page is dead by now
            Assert.False(node.HasExited, $"the listener exited with {node.ExitCode}{(node.ExitCode is 134 or 135 ? " (SIGBUS: 135, or 134 when .NET turns it into a fatal AccessViolationException)" : "")}");
            Assert.Equal(SegmentLayout.Refused, state);
            string reason = forger.Refusal;
            TestOutput.WriteLine($"refused: {reason}");
            Assert.Contains("posix_fallocate", reason);
            Assert.Contains(segment, reason);
            Assert.Contains("No space left on device", reason);
            await node.WaitForLineAsync(l => l.Contains($"Refused a connection from port {forger.Port}", StringComparison.Ordinal), Timeout);
        }
        finally
        {
            File.Delete(filler);
            forger.Dispose();
        }

        await StreamAsync(verifier, 1); // the listener still serves its other association, in order
        await ShutdownAndVerifyAsync();
        Assert.Empty(_tmpfs.Entries());
    }

    /// <summary>Numbers PerRound × round onwards from one sender (the verifier checks order per sender).</summary>
    private async Task StreamAsync(IActorRef verifier, int round)
    {
        var inbox = _inbox ??= Inbox.Create(Sys);
        verifier.Tell(new PerSenderVerifier.Expect(PerRound * (round + 1)), inbox.Receiver);
        for (int i = PerRound * round; i < PerRound * (round + 1); i++)
            verifier.Tell(i, inbox.Receiver);
        Assert.Equal(new PerSenderVerifier.Done(PerRound * (round + 1)), await inbox.ReceiveAsync(Timeout));
    }

    protected override void Dispose(bool disposing)
    {
        try
        {
            base.Dispose(disposing);
        }
        finally
        {
            _tmpfs.Dispose();
        }
    }

    /// <summary>
    /// An endpoint (lock, life FIFO, doorbell) that offers a segment made with ftruncate only, as a buggy or
    /// hostile peer could: every page but the header is a hole.
    /// </summary>
    private sealed class SparsePeer : IDisposable
    {
        private readonly ChannelNames _names;
        private readonly EndpointLock _lock;
        private readonly FileDescriptor _life;
        private readonly NamedSemaphore _doorbell;
        private MappedMemory? _header;
        private string? _segment;
        private int _ringSize;
        private int _wireFrameLimit;

        public SparsePeer(string directory, string shmDirectory)
        {
            _names = new ChannelNames(directory, shmDirectory);
            _lock = EndpointDirectory.Claim(_names, 0);
            Port = ChannelNames.PortOf(Path.GetFileName(_lock.Path))!.Value;
            Posix.MakeFifo(_names.Life(Port));
            _life = Posix.Open(_names.Life(Port), LibC.O_RDWR | LibC.O_NONBLOCK);
            _doorbell = NamedSemaphore.Create(_names.Doorbell(Port));
        }

        public int Port { get; }

        public unsafe string Refusal
        {
            get
            {
                byte* b = _header!.Pointer + SegmentLayout.RefusalOffset;
                return System.Text.Encoding.UTF8.GetString(b + 1, Math.Min((int)b[0], SegmentLayout.ReasonField - 1));
            }
        }

        /// <summary>ftruncate, then a mapping of the header page only, which is written (and so backed).</summary>
        public unsafe string CreateSparseSegment(int ringSize, int wireFrameLimit)
        {
            _segment = _names.Segment(Port, 1);
            (_ringSize, _wireFrameLimit) = (ringSize, wireFrameLimit);
            using var fd = Posix.Open(_segment, LibC.O_RDWR | LibC.O_CREAT | LibC.O_EXCL);
            Assert.Equal(0, LibC.FTruncate(fd.Fd, SegmentLayout.TotalLength(ringSize)));
            _header = MappedMemory.Map(fd, SegmentLayout.HeaderLength, _segment);
            byte* b = _header.Pointer;
            *(int*)(b + SegmentLayout.VersionOffset) = SegmentLayout.Version;
            *(int*)(b + SegmentLayout.RingCapacityOffset) = ringSize;
            *(int*)(b + SegmentLayout.MaxFrameOffset) = wireFrameLimit;
            *(int*)(b + SegmentLayout.ClientPortOffset) = Port;
            *(int*)(b + SegmentLayout.ClientPidOffset) = LibC.GetPid();
            Volatile.Write(ref Unsafe.AsRef<long>(b + SegmentLayout.MagicOffset), SegmentLayout.Magic);
            return _segment;
        }

        public unsafe void Offer(int serverPort)
        {
            var request = new ConnectRequest(Port, 1, LibC.GetPid(), ChannelMode.Shm, "Sparse", "localhost", _names.ShmDirectory,
                _ringSize, _wireFrameLimit);
            var buffer = new byte[ConnectRequest.Length];
            request.WriteTo(buffer);
            using var accept = Posix.Open(_names.Accept(serverPort), LibC.O_WRONLY | LibC.O_NONBLOCK);
            fixed (byte* p = buffer)
                Assert.Equal(buffer.Length, (int)LibC.Write(accept.Fd, p, buffer.Length));
        }

        /// <summary>Waits until the listener answers (state leaves Offered); returns the state.</summary>
        public async Task<int> WaitForAnswerAsync(TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                int state = State;
                if (state != SegmentLayout.Offered)
                    return state;
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"the listener did not answer the sparse segment within {timeout}");
                await Task.Delay(10);
            }
        }

        private unsafe int State => Volatile.Read(ref *(int*)(_header!.Pointer + SegmentLayout.StateOffset));

        public void RemoveSegment()
        {
            _header?.Dispose();
            _header = null;
            if (_segment != null)
                Posix.Unlink(_segment);
        }

        public void Dispose()
        {
            RemoveSegment();
            Posix.Unlink(_names.Life(Port));
            _life.Dispose();
            _doorbell.Dispose();
            _lock.Dispose();
        }
    }
}
