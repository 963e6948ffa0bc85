using System.Diagnostics;
using Akka.Actor;

namespace Akka.Transport.Ipc.Tests.Soak;

/// <summary>
/// Streams <see cref="SoakPayload"/>s to one peer's <see cref="SoakReceiver"/> at a fixed rate, with at most
/// <see cref="Window"/> unacknowledged (so a frozen peer costs bounded memory). It finds the receiver with
/// <c>HELLO nonce</c> through an actor selection; a <c>WELCOME</c> from another actor ref (a restarted peer) starts
/// a new stream at epoch 0, one from the same ref (a re-association after the association ended) the next epoch.
/// When its parent reports the association gone (<see cref="Lost"/>), it stops sending and looks again. When its
/// parent reports that this ActorSystem dropped one of its payloads to dead letters (<see cref="Dropped"/>: Akka.Remote
/// drops what is sent to an address it gates after an association ended, before the transport sees it), it prints
/// <c>SOAK-DROPPED ts address receiverUid senderUid epoch seq</c>, so a check can tell such a message from one the
/// transport lost (<see cref="SoakReceiver"/> names the same uids in the anomaly).
/// </summary>
public sealed class SoakSender : ReceiveActor, IWithTimers
{
    public const int Window = 64;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(20);
    private const int HelloEveryTicks = 25;

    private readonly ActorSelection _selection;
    private readonly double _perTick;
    private IActorRef? _target;
    private int _epoch;
    private int _seq;
    private int _acked;
    private double _budget;
    private int _nonce;
    private int _ticksSinceHello;
    private int _prevSent;

    public SoakSender(string targetAddress, int messagesPerSecond)
    {
        TargetAddress = targetAddress;
        _selection = Context.ActorSelection($"{targetAddress}/user/{SoakReceiver.Name}");
        _perTick = messagesPerSecond * Tick.TotalSeconds;
        Resolving();
    }

    /// <summary>The parent saw the association with the target end (DisassociatedEvent).</summary>
    public sealed class Lost
    {
        public static readonly Lost Instance = new();
    }

    /// <summary>A payload this sender sent went to dead letters in its own ActorSystem.</summary>
    public sealed record Dropped(byte[] Payload);

    public string TargetAddress { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Timers.StartPeriodicTimer("tick", TickMessage.Instance, Tick);

    private void Resolving()
    {
        _nonce++;
        _ticksSinceHello = HelloEveryTicks;
        Receive<TickMessage>(_ =>
        {
            if (++_ticksSinceHello < HelloEveryTicks)
                return;
            _ticksSinceHello = 0;
            _selection.Tell($"HELLO {_nonce}", Self);
        });
        Receive<string>(text => text == $"WELCOME {_nonce}", _ =>
        {
            int prevSent = _seq;
            if (Equals(Sender, _target))
            {
                _epoch++;
            }
            else
            {
                _target = Sender;
                _epoch = 0;
                prevSent = 0;
            }
            _seq = 0;
            _acked = 0;
            _budget = 0;
            _prevSent = prevSent;
            Become(Streaming);
        });
        Receive<string>(_ => { }); // a late WELCOME of an earlier search
        Receive<long>(_ => { });   // a late ack of an earlier epoch
        Receive<Lost>(_ => { });
        Receive<Dropped>(PrintDropped);
    }

    private void Streaming()
    {
        Receive<TickMessage>(_ =>
        {
            _budget = Math.Min(_budget + _perTick, Window);
            while (_budget >= 1 && _seq - _acked < Window)
            {
                _target!.Tell(SoakPayload.Create(_seq, _epoch, _prevSent), Self);
                _seq++;
                _budget--;
            }
        });
        Receive<long>(ack =>
        {
            if ((int)(ack >> 32) == _epoch)
                _acked = Math.Max(_acked, (int)(uint)ack + 1);
        });
        Receive<Lost>(_ => Become(Resolving));
        Receive<Dropped>(PrintDropped);
        Receive<string>(_ => { });
    }

    // The receiver it was sent to is the current target: a payload goes to dead letters while it is sent (a gated
    // address), before any later WELCOME could change the target.
    private void PrintDropped(Dropped dropped)
    {
        Console.Out.WriteLine($"SOAK-DROPPED {Stopwatch.GetTimestamp()} {TargetAddress} {_target?.Path.Uid ?? 0} {Self.Path.Uid} "
            + $"{SoakPayload.EpochOf(dropped.Payload)} {SoakPayload.SequenceOf(dropped.Payload)}");
        Console.Out.Flush();
    }

    private sealed class TickMessage
    {
        public static readonly TickMessage Instance = new();
    }
}
