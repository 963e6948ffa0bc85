using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Event;
using Akka.Remote.Transport;
using Google.Protobuf;

namespace Akka.Transport.Ipc.Benchmarks;

/// <summary>
/// One streaming phase of <c>Size</c>-byte frames: warm-up rounds of <c>WarmupRound</c> frames until the JIT is quiet
/// (see <see cref="JitWarmup"/>), then <c>Count</c> timed frames. Warm-up frames carry <see cref="RawRoles.WarmupMark"/>
/// in their first byte, so the receiver knows where timing starts without knowing how long the warm-up was.
/// </summary>
internal sealed record RawPhase(int Size, int WarmupRound, int Count)
{
    public static RawPhase[] ParsePlan(string plan) => plan.Split(',').Select(p =>
    {
        var f = p.Split(':').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        return new RawPhase(f[0], Math.Max(1, f[1]), f[2]);
    }).ToArray();

    public static string ToPlan(IEnumerable<RawPhase> phases) =>
        string.Join(',', phases.Select(p => FormattableString.Invariant($"{p.Size}:{p.WarmupRound}:{p.Count}")));
}

/// <summary>
/// The raw part's two processes, using <see cref="IpcTransport"/> through Akka's transport SPI with no actors on
/// the path: a receiver that times streams and echoes ping frames, and a sender that streams and pings.
/// </summary>
internal static class RawRoles
{
    /// <summary>Frame length of the receiver's end-of-phase acknowledgement (no phase uses it).</summary>
    private const int AckSize = 8;

    /// <summary>First byte of a warm-up frame (timed frames carry 0).</summary>
    public const byte WarmupMark = 1;

    /// <summary>Pings per round of the round-trip warm-up.</summary>
    private const int RttWarmupRound = 500;

    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromSeconds(120);

    public static async Task<int> RunReceiverAsync(ChildArgs args)
    {
        var phases = RawPhase.ParsePlan(args.Get("plan"));
        var system = ActorSystem.Create("RawReceiver", Hocon.Local);
        var transport = new IpcTransport(system, Hocon.RawSection(args.Get("mode"), args.Get("dir"), args.GetInt("ring-size", 0)));
        try
        {
            var (address, promise) = await transport.Listen();
            var receiver = new StreamReceiver(phases);
            promise.SetResult(new AssociationListener(handle => receiver.Attach(handle)));
            Parent.Send("ready", new { address = address.ToString(), pid = Environment.ProcessId });
            await Task.WhenAny(Parent.StopRequested, receiver.Failed);
            if (receiver.Failed.IsCompleted)
                throw new InvalidOperationException(await receiver.Failed);
        }
        finally
        {
            await transport.Shutdown().WaitAsync(TimeSpan.FromSeconds(20));
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(20));
        }
        return 0;
    }

    public static async Task<int> RunSenderAsync(ChildArgs args)
    {
        var phases = RawPhase.ParsePlan(args.Get("plan"));
        int rttSamples = args.GetInt("rtt-samples");
        var system = ActorSystem.Create("RawSender", Hocon.Local);
        var transport = new IpcTransport(system, Hocon.RawSection(args.Get("mode"), args.Get("dir"), args.GetInt("ring-size", 0)));
        try
        {
            var (_, promise) = await transport.Listen(); // Associate needs a listening endpoint
            promise.SetResult(new AssociationListener(handle => handle.Disassociate("unexpected", system.Log)));
            var handle = await transport.Associate(Address.Parse(args.Get("address"))).WaitAsync(TimeSpan.FromSeconds(30));
            var replies = new SenderListener();
            handle.ReadHandlerSource.SetResult(replies);
            Parent.Send("connected");

            foreach (var phase in phases)
            {
                var warmupFrame = new byte[phase.Size];
                warmupFrame[0] = WarmupMark;
                long backOffs = 0;
                var watch = Stopwatch.StartNew();
                var warmed = JitWarmup.Run(() => WriteFrames(UnsafeByteOperations.UnsafeWrap(warmupFrame), phase.WarmupRound));
                var timed = Stopwatch.StartNew();
                WriteFrames(UnsafeByteOperations.UnsafeWrap(new byte[phase.Size]), phase.Count);
                double writeMs = timed.Elapsed.TotalMilliseconds;
                if (!await replies.Acks.WaitAsync(PhaseTimeout))
                    throw new TimeoutException($"No acknowledgement for the {phase.Size} B phase within {PhaseTimeout.TotalSeconds:F0} s");
                Parent.Send("sent", new { size = phase.Size, count = phase.Count, warmupMs = warmed.TotalMilliseconds, backOffs, writeMs });

                void WriteFrames(ByteString payload, int count)
                {
                    for (int i = count; i > 0; i--)
                    {
                        int attempts = 0;
                        while (!handle.Write(payload))
                        {
                            // Back-pressure: the association's queue is past send-queue-limit. Back off briefly.
                            backOffs++;
                            if (++attempts < 20)
                                Thread.Yield();
                            else
                                Thread.Sleep(1);
                            if (watch.Elapsed > PhaseTimeout)
                                throw new TimeoutException($"Write kept returning false for {phase.Size} B frames");
                        }
                    }
                }
            }

            foreach (var wait in new[] { "spin", "block" })
            {
                var payload = UnsafeByteOperations.UnsafeWrap(new byte[64]);
                var micros = new double[rttSamples];
                JitWarmup.Run(() =>
                {
                    for (int i = 0; i < RttWarmupRound; i++)
                        Ping();
                });
                for (int i = 0; i < rttSamples; i++)
                    micros[i] = Ping();

                double Ping()
                {
                    long expected = replies.Pongs;
                    long start = Stopwatch.GetTimestamp();
                    if (!handle.Write(payload))
                        throw new InvalidOperationException("Write returned false with one frame in flight");
                    replies.WaitForPong(expected, spin: wait == "spin", TimeSpan.FromSeconds(10));
                    return (Stopwatch.GetTimestamp() - start) * 1e6 / Stopwatch.Frequency;
                }
                Array.Sort(micros);
                Parent.Send("rtt", new
                {
                    wait,
                    samples = rttSamples,
                    p50 = Stats.Percentile(micros, 0.50),
                    p90 = Stats.Percentile(micros, 0.90),
                    p99 = Stats.Percentile(micros, 0.99),
                    p999 = Stats.Percentile(micros, 0.999),
                    max = micros[^1],
                });
            }
            handle.Disassociate("benchmark done", system.Log);
        }
        finally
        {
            await transport.Shutdown().WaitAsync(TimeSpan.FromSeconds(20));
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(20));
        }
        return 0;
    }

    private sealed class AssociationListener(Action<AssociationHandle> onInbound) : IAssociationEventListener
    {
        public void Notify(IAssociationEvent ev)
        {
            if (ev is InboundAssociation inbound)
                onInbound(inbound.Association);
        }
    }

    /// <summary>
    /// Runs on the transport's reader thread: counts and times each phase's frames, acknowledges each phase, and
    /// after the last phase echoes every frame (the round-trip test).
    /// </summary>
    private sealed class StreamReceiver(RawPhase[] phases) : IHandleEventListener
    {
        private static readonly ByteString Ack = UnsafeByteOperations.UnsafeWrap(new byte[AckSize]);
        private readonly TaskCompletionSource<string> _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private AssociationHandle? _handle;
        private int _phase;
        private long _received;
        private long _start;

        public Task<string> Failed => _failed.Task;

        public void Attach(AssociationHandle handle)
        {
            if (Interlocked.CompareExchange(ref _handle, handle, null) != null)
            {
                _failed.TrySetResult("a second association arrived");
                return;
            }
            handle.ReadHandlerSource.SetResult(this);
        }

        public void Notify(IHandleEvent ev)
        {
            switch (ev)
            {
                case InboundPayload payload:
                    OnPayload(payload.Payload);
                    break;
                case Disassociated when _phase < phases.Length:
                    _failed.TrySetResult($"disassociated in phase {_phase} after {_received} frames");
                    break;
            }
        }

        private void OnPayload(ByteString payload)
        {
            if (_phase >= phases.Length)
            {
                if (!_handle!.Write(payload))
                    _failed.TrySetResult("echo Write returned false");
                return;
            }
            var phase = phases[_phase];
            if (payload.Length != phase.Size)
            {
                _failed.TrySetResult($"phase {_phase}: frame {_received} has {payload.Length} bytes, expected {phase.Size}");
                return;
            }
            if (payload.Span[0] == WarmupMark)
            {
                if (_received != 0)
                    _failed.TrySetResult($"phase {_phase}: a warm-up frame after {_received} timed frames");
                return;
            }
            // Timing runs from the first timed frame to the last: Count - 1 intervals.
            long n = ++_received;
            if (n == 1)
            {
                _start = Stopwatch.GetTimestamp();
                return;
            }
            if (n == phase.Count)
            {
                double seconds = (Stopwatch.GetTimestamp() - _start) / (double)Stopwatch.Frequency;
                Parent.Send("stream", new
                {
                    size = phase.Size,
                    frames = phase.Count,
                    seconds,
                    msgsPerSec = (phase.Count - 1) / seconds,
                    mbPerSec = (phase.Count - 1) * (double)phase.Size / seconds / 1e6,
                });
                _phase++;
                _received = 0;
                if (!_handle!.Write(Ack))
                    _failed.TrySetResult("acknowledgement Write returned false");
            }
        }
    }

    /// <summary>The sender's inbound side: phase acknowledgements and echoed pings.</summary>
    private sealed class SenderListener : IHandleEventListener
    {
        private readonly AutoResetEvent _pong = new(false);
        private long _pongs;

        public SemaphoreSlim Acks { get; } = new(0);

        public long Pongs => Volatile.Read(ref _pongs);

        public void Notify(IHandleEvent ev)
        {
            if (ev is not InboundPayload payload)
                return;
            if (payload.Payload.Length == AckSize)
            {
                Acks.Release();
                return;
            }
            Interlocked.Increment(ref _pongs);
            _pong.Set();
        }

        /// <summary>
        /// Waits until the pong count passes <paramref name="before"/>: spinning (SpinWait, which yields but never
        /// sleeps) or blocking on a kernel-backed event with no spinning of its own.
        /// </summary>
        public void WaitForPong(long before, bool spin, TimeSpan timeout)
        {
            long deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
            if (spin)
            {
                var spinner = new SpinWait();
                while (Volatile.Read(ref _pongs) == before)
                {
                    spinner.SpinOnce(sleep1Threshold: -1);
                    if (Stopwatch.GetTimestamp() > deadline)
                        throw new TimeoutException("No pong within " + timeout);
                }
                _pong.Reset();
                return;
            }
            while (Volatile.Read(ref _pongs) == before)
            {
                if (!_pong.WaitOne(timeout) && Volatile.Read(ref _pongs) == before)
                    throw new TimeoutException("No pong within " + timeout);
            }
        }
    }
}
