using System.Diagnostics;
using Akka.Actor;
using Akka.Remote;

namespace Akka.Transport.Ipc.Tests.NodeHost;

/// <summary>
/// What a test can ask a node to do, one stdin line each, run one after another (so a BARRIER answer means
/// "everything asked before is done"). Every command answers one stdout line: its result, or
/// <c>FAILED &lt;command&gt; &lt;reason&gt;</c>. A command line may start with <c>#id </c>; its answer then starts
/// with the same <c>#id </c>, so the harness never takes the late answer of an abandoned command for a new one.
/// <code>
///   BARRIER name              → BARRIER name completed failed   (commands finished before it, and how many FAILED)
///   PING address count [s]    → PING-DONE count ms      (count messages to address/user/echo, 1 000 in flight, order checked;
///                               the whole command gives up after s seconds, default 120)
///   PRODUCE address count     → PRODUCE-DONE count ms   (numbered stream to address/user/per-sender-verifier)
///   DEPLOY address            → DEPLOYED pid path       (WhereAmI deployed onto address, asked where it runs)
///   WATCH                     → WATCHING; later DISASSOCIATED address for every association that ends
///   VERIFIED                  → VERIFIED senders=N received=a,b,... gaps=G   (what per-sender-verifier got so far)
///   WATCH-TIMED               → WATCHING-TIMED; later DISASSOCIATED-AT address ticks, ticks = Stopwatch.GetTimestamp()
///                               (CLOCK_MONOTONIC, comparable across processes) when the event reached the watcher
///   COUNTER                   → COUNTER-READY           (starts user/counter: counts ints, checks they are consecutive)
///   COUNT                     → COUNT n                 (ints user/counter received so far, in order)
///   STREAM address            → never answers           (consecutive ints to address/user/counter, paced, until killed)
///   RAW-LISTEN                → RAW-LISTENING port      (a second, bare IpcTransport on this node's settings; its
///                               inbound frames are checked by RawSink; shut down with the ActorSystem)
///   RAW-COUNT                 → RAW-COUNT n             (frames RawSink received, each once and in order)
///   PAYLOADS count max ms address...
///                             → PAYLOADS-DONE count ms  (numbered byte[] payloads, at most max bytes, to every address's
///                               user/per-sender-verifier, spread over at least ms; content checked; see PayloadStreams)
/// </code>
/// </summary>
public sealed class NodeCommands(ActorSystem system)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private int _completed;
    private int _failed;
    private IActorRef? _counter;
    private RawSink? _rawSink;

    /// <summary>Runs one command line (with or without a <c>#id</c> prefix) and returns its answer line.</summary>
    public async Task<string> RunAsync(string line)
    {
        string id = "";
        if (line.StartsWith('#'))
        {
            int space = line.IndexOf(' ');
            id = space < 0 ? line + " " : line[..(space + 1)];
            line = space < 0 ? "" : line[(space + 1)..].Trim();
        }
        string answer = await RunCommandAsync(line);
        if (answer.StartsWith("FAILED", StringComparison.Ordinal))
            _failed++;
        _completed++;
        return id + answer;
    }

    private async Task<string> RunCommandAsync(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        try
        {
            return parts switch
            {
                ["BARRIER", var name] => $"BARRIER {name} {_completed} {_failed}",
                ["PING", var address, var count] => await PingAsync(address, int.Parse(count), Timeout),
                ["PRODUCE", var address, var count] => await ProduceAsync(address, int.Parse(count)),
                ["DEPLOY", var address] => await DeployAsync(address),
                ["WATCH"] => Watch(),
                ["VERIFIED"] => "VERIFIED " + await system.ActorSelection("/user/per-sender-verifier")
                    .Ask<string>(new PerSenderVerifier.Report(), Timeout),
                ["PING", var address, var count, var seconds] => await PingAsync(address, int.Parse(count), TimeSpan.FromSeconds(int.Parse(seconds))),
                ["WATCH-TIMED"] => WatchTimed(),
                ["COUNTER"] => StartCounter(),
                ["COUNT"] => $"COUNT {await _counter!.Ask<long>(StreamCounter.Query.Instance, Timeout)}",
                ["STREAM", var address] => await StreamAsync(address),
                ["RAW-LISTEN"] => await RawListenAsync(),
                ["RAW-COUNT"] => $"RAW-COUNT {_rawSink!.Received}",
                ["PAYLOADS", var count, var max, var ms, .. var addresses] => await PayloadStreams.RunAsync(system,
                    int.Parse(count), int.Parse(max), int.Parse(ms), addresses, Timeout),
                _ => $"FAILED {parts.FirstOrDefault()} unknown command '{line}'",
            };
        }
        catch (Exception e)
        {
            return $"FAILED {parts.FirstOrDefault()} {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}";
        }
    }

    private async Task<string> PingAsync(string address, int count, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        var echo = await system.ActorSelection($"{address}/user/echo").ResolveOne(timeout);
        var done = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopwatch = Stopwatch.StartNew();
        system.ActorOf(Props.Create(() => new Pinger(echo, count, done)));
        var left = timeout - deadline.Elapsed;
        string result = await done.Task.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        return result.Length == 0 ? $"PING-DONE {count} {stopwatch.ElapsedMilliseconds}" : $"FAILED PING {result}";
    }

    private async Task<string> ProduceAsync(string address, int count)
    {
        var verifier = await system.ActorSelection($"{address}/user/per-sender-verifier").ResolveOne(Timeout);
        var inbox = Inbox.Create(system);
        var stopwatch = Stopwatch.StartNew();
        verifier.Tell(new PerSenderVerifier.Expect(count), inbox.Receiver);
        for (int i = 0; i < count; i++)
            verifier.Tell(i, inbox.Receiver);
        return await inbox.ReceiveAsync(Timeout) switch
        {
            PerSenderVerifier.Done d when d.Count == count => $"PRODUCE-DONE {count} {stopwatch.ElapsedMilliseconds}",
            var other => $"FAILED PRODUCE {other}",
        };
    }

    private async Task<string> DeployAsync(string address)
    {
        var props = Props.Create<WhereAmI>().WithDeploy(new Deploy(new RemoteScope(Address.Parse(address))));
        var deployed = system.ActorOf(props);
        int pid = await deployed.Ask<int>("where?", Timeout);
        return $"DEPLOYED {pid} {deployed.Path}";
    }

    private string Watch()
    {
        var watcher = system.ActorOf(Props.Create(() => new DisassociationReporter()));
        system.EventStream.Subscribe(watcher, typeof(DisassociatedEvent));
        return "WATCHING";
    }

    private string WatchTimed()
    {
        var watcher = system.ActorOf(Props.Create(() => new TimedDisassociationReporter()));
        system.EventStream.Subscribe(watcher, typeof(DisassociatedEvent));
        return "WATCHING-TIMED";
    }

    private string StartCounter()
    {
        _counter = system.ActorOf(Props.Create(() => new StreamCounter()), "counter");
        return "COUNTER-READY";
    }

    /// <summary>
    /// Streams consecutive ints to the peer's counter until the process dies. Paced (a burst, then a
    /// millisecond's pause) so the stream is continuous without Akka's endpoint buffer growing without bound.
    /// </summary>
    private async Task<string> StreamAsync(string address)
    {
        var counter = await system.ActorSelection($"{address}/user/counter").ResolveOne(Timeout);
        for (int n = 0; ; n++)
        {
            counter.Tell(n);
            if (n % 50 == 49)
                await Task.Delay(1);
        }
    }

    private async Task<string> RawListenAsync()
    {
        _rawSink = await RawSink.StartAsync(system);
        return $"RAW-LISTENING {_rawSink.Port}";
    }

    /// <summary>Sends numbers to an echo with a window in flight and checks they come back in order.</summary>
    private sealed class Pinger : ReceiveActor
    {
        private const int Window = 1000;

        public Pinger(IActorRef echo, int count, TaskCompletionSource<string> done)
        {
            int sent = 0, received = 0;
            for (; sent < Math.Min(Window, count); sent++)
                echo.Tell(sent);
            Receive<int>(n =>
            {
                if (n != received)
                {
                    done.TrySetResult($"expected {received} back, got {n}");
                    Context.Stop(Self);
                    return;
                }
                received++;
                if (sent < count)
                    echo.Tell(sent++);
                if (received == count)
                {
                    done.TrySetResult("");
                    Context.Stop(Self);
                }
            });
        }
    }

    private sealed class DisassociationReporter : ReceiveActor
    {
        public DisassociationReporter() => Receive<DisassociatedEvent>(e =>
        {
            Console.Out.WriteLine($"DISASSOCIATED {e.RemoteAddress}");
            Console.Out.Flush();
        });
    }

    private sealed class TimedDisassociationReporter : ReceiveActor
    {
        public TimedDisassociationReporter() => Receive<DisassociatedEvent>(e =>
        {
            long ticks = Stopwatch.GetTimestamp();
            Console.Out.WriteLine($"DISASSOCIATED-AT {e.RemoteAddress} {ticks}");
            Console.Out.Flush();
        });
    }
}
