using System.Buffers.Binary;
using System.Diagnostics;
using Akka.Actor;
using Akka.Remote.Transport;
using Google.Protobuf;

namespace Akka.Transport.Ipc.Benchmarks;

/// <summary>
/// The two processes of the setup part, per mode. The "setup-server" hosts, for the whole part, an ActorSystem with
/// an echo actor and a raw transport (<see cref="SetupTransports"/>) that reports, for the first frame of each inbound
/// association, the time since the client called <c>Associate</c>. The "setup-client" takes one sample per stdin
/// command on FRESH peers: <c>akka</c> = a new ActorSystem, then <c>ResolveOne</c> + the first <c>Ask</c> reply;
/// <c>raw</c> = a new transport, then <c>Associate</c> + one frame. Both close their fresh peer after the sample.
/// </summary>
/// <remarks>
/// Clocks: every timestamp is <see cref="Stopwatch.GetTimestamp"/>, CLOCK_MONOTONIC on Linux, one clock for every
/// process on the host. The Akka sample is timed on the client alone (ResolveOne to the reply); the raw sample's
/// start travels in the frame (its first 8 bytes) and the server subtracts it from its own clock at delivery.
/// </remarks>
internal static class SetupRoles
{
    public const string ClientSystem = "SetupClient";
    public const string RawServerSystem = "SetupRawServer";
    private const int FrameBytes = 64;
    private static readonly TimeSpan SampleTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Microseconds between two <see cref="Stopwatch.GetTimestamp"/> values.</summary>
    public static double Micros(long from, long to) => (to - from) * 1e6 / Stopwatch.Frequency;

    public static async Task<int> RunServerAsync(ChildArgs args)
    {
        string mode = args.Get("mode");
        var system = ActorSystem.Create(ActorRoles.EchoSystem, Hocon.For(mode, args.Get("dir", "")));
        var rawSystem = ActorSystem.Create(RawServerSystem, SetupTransports.SystemConfig(mode));
        Akka.Remote.Transport.Transport? transport = null;
        try
        {
            system.ActorOf(Props.Create(() => new ActorRoles.EchoActor()), "echo0");
            transport = SetupTransports.Create(rawSystem, mode, args.Get("raw-dir", ""));
            var (rawAddress, promise) = await transport.Listen();
            promise.SetResult(new InboundListener());
            Parent.Send("ready", new
            {
                address = ((ExtendedActorSystem)system).Provider.DefaultAddress.ToString(),
                rawAddress = rawAddress.ToString(),
                pid = Environment.ProcessId,
            });
            await Parent.StopRequested;
        }
        finally
        {
            if (transport != null)
                await transport.Shutdown().WaitAsync(TimeSpan.FromSeconds(20));
            await rawSystem.Terminate().WaitAsync(TimeSpan.FromSeconds(20));
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(20));
        }
        return 0;
    }

    public static async Task<int> RunClientAsync(ChildArgs args)
    {
        string mode = args.Get("mode");
        string dir = args.Get("dir", "");
        string rawDir = args.Get("raw-dir", "");
        string echoPath = args.Get("address") + "/user/echo0";
        var rawServer = Address.Parse(args.Get("raw-address"));
        // The raw transport needs a system for its logging (and, hybrid or tcp, the dot-netty section): one for all
        // samples; the transport itself is new each sample.
        var rawSystem = ActorSystem.Create("SetupRawClient", SetupTransports.SystemConfig(mode));
        try
        {
            Parent.Send("ready", new { pid = Environment.ProcessId });
            var stopped = Parent.StopRequested;
            while (true)
            {
                var read = Parent.CommandReader.ReadAsync().AsTask();
                if (await Task.WhenAny(read, stopped) == stopped)
                    break;
                switch (await read)
                {
                    case "akka":
                        Parent.Send("akka", await AkkaSampleAsync(mode, dir, echoPath));
                        break;
                    case "raw":
                        Parent.Send("raw", await RawSampleAsync(rawSystem, mode, rawDir, rawServer));
                        break;
                    case var other:
                        throw new ArgumentException($"Unknown setup command '{other}'");
                }
            }
        }
        finally
        {
            await rawSystem.Terminate().WaitAsync(TimeSpan.FromSeconds(20));
        }
        return 0;
    }

    /// <summary>A fresh ActorSystem (remoting listening once Create returns): ResolveOne, then the first Ask reply.</summary>
    private static async Task<object> AkkaSampleAsync(string mode, string dir, string echoPath)
    {
        long created = Stopwatch.GetTimestamp();
        var system = ActorSystem.Create(ClientSystem, Hocon.For(mode, dir));
        long start = Stopwatch.GetTimestamp();
        try
        {
            var echo = await system.ActorSelection(echoPath).ResolveOne(SampleTimeout);
            long resolved = Stopwatch.GetTimestamp();
            await echo.Ask<byte[]>(new byte[FrameBytes], SampleTimeout);
            long replied = Stopwatch.GetTimestamp();
            return new { us = Micros(start, replied), resolveUs = Micros(start, resolved), createMs = Micros(created, start) / 1e3 };
        }
        finally
        {
            await system.Terminate().WaitAsync(SampleTimeout);
        }
    }

    /// <summary>
    /// A fresh transport (listening, as a started remoting's is): Associate, then one frame carrying the time
    /// Associate was called; the server reports its delivery. Waits for the echo before closing, so the frame is
    /// delivered before the association ends.
    /// </summary>
    private static async Task<object> RawSampleAsync(ActorSystem system, string mode, string dir, Address server)
    {
        var transport = SetupTransports.Create(system, mode, dir);
        try
        {
            var (_, promise) = await transport.Listen();
            promise.SetResult(new InboundListener());
            var echo = new EchoWaiter();
            var frame = new byte[FrameBytes];
            long start = Stopwatch.GetTimestamp();
            var handle = await transport.Associate(server).WaitAsync(SampleTimeout);
            long associated = Stopwatch.GetTimestamp();
            handle.ReadHandlerSource.SetResult(echo);
            BinaryPrimitives.WriteInt64LittleEndian(frame, start);
            if (!handle.Write(UnsafeByteOperations.UnsafeWrap(frame)))
                throw new InvalidOperationException("Write of the first frame returned false");
            await echo.Echoed.WaitAsync(SampleTimeout);
            long echoed = Stopwatch.GetTimestamp();
            handle.Disassociate("sample done", system.Log);
            return new { associateUs = Micros(start, associated), roundTripUs = Micros(start, echoed) };
        }
        finally
        {
            await transport.Shutdown().WaitAsync(SampleTimeout);
        }
    }

    /// <summary>
    /// Server side: on each inbound association, reports the first frame's delivery (now minus the client's start in
    /// its first 8 bytes) and echoes it. A client's own transport gets no inbound associations.
    /// </summary>
    private sealed class InboundListener : IAssociationEventListener
    {
        public void Notify(IAssociationEvent ev)
        {
            if (ev is InboundAssociation inbound)
                inbound.Association.ReadHandlerSource.SetResult(new FirstFrame(inbound.Association));
        }
    }

    private sealed class FirstFrame(AssociationHandle handle) : IHandleEventListener
    {
        private int _frames;

        public void Notify(IHandleEvent ev)
        {
            if (ev is not InboundPayload payload)
                return;
            long delivered = Stopwatch.GetTimestamp();
            if (Interlocked.Increment(ref _frames) != 1 || payload.Payload.Length != FrameBytes)
            {
                Parent.Send("error", new { message = $"unexpected frame of {payload.Payload.Length} B from {handle.RemoteAddress}" });
                return;
            }
            long start = BinaryPrimitives.ReadInt64LittleEndian(payload.Payload.Span);
            Parent.Send("delivered", new { us = Micros(start, delivered) });
            handle.Write(payload.Payload);
        }
    }

    private sealed class EchoWaiter : IHandleEventListener
    {
        private readonly TaskCompletionSource _echoed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Echoed => _echoed.Task;

        public void Notify(IHandleEvent ev)
        {
            if (ev is InboundPayload)
                _echoed.TrySetResult();
        }
    }
}
