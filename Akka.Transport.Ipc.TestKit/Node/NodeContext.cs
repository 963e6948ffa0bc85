using Akka.Actor;
using Akka.Remote;
using Akka.Remote.Transport;
using Akka.Transport.Ipc.TestKit.Protocol;

namespace Akka.Transport.Ipc.TestKit.Node;

/// <summary>
/// This process's part in a run: its environment and conductor connection, set by <see cref="NodeProgram"/> before
/// the spec is constructed and read by <see cref="MultiNodeSpec"/>'s constructor. Once the spec's ActorSystem exists
/// it serves the conductor's requests on it: throttling (Akka.Remote's throttler adapter) and exit.
/// </summary>
internal sealed class NodeContext
{
    public NodeContext(NodeEnvironment environment, ConductorClient client)
    {
        Environment = environment;
        Client = client;
    }

    /// <summary>The context of this node process; null in any other process.</summary>
    public static NodeContext? Current { get; set; }

    public NodeEnvironment Environment { get; }

    public ConductorClient Client { get; }

    /// <summary>Serves the conductor's requests on <paramref name="system"/> from now on.</summary>
    public void Attach(ActorSystem system) => Client.CommandHandler = command => command.Kind switch
    {
        "throttle" => ThrottleAsync(system, command),
        "exit" => ExitAsync(system, command.Code),
        _ => Task.FromResult<string?>($"unknown request '{command.Kind}'"),
    };

    private static async Task<string?> ThrottleAsync(ActorSystem system, ConductorMessage command)
    {
        // RARP is internal to Akka.Remote; the provider is the same object.
        var transport = ((IRemoteActorRefProvider)((ExtendedActorSystem)system).Provider).Transport;
        if (!Enum.TryParse<ThrottleTransportAdapter.Direction>(command.Direction, out var direction))
            return $"unknown direction '{command.Direction}'";
        // As Akka.Remote.TestKit's player: rate < 0 passes through, 0 blackholes, otherwise a token bucket in Mbit/s.
        ThrottleMode mode = command.Rate < 0 ? Unthrottled.Instance
            : command.Rate == 0 ? Blackhole.Instance
            : new TokenBucket(1000, command.Rate * 125000, 0, 0);
        bool done = await transport.ManagementCommand(new SetThrottle(Address.Parse(command.Target!), direction, mode))
            .ConfigureAwait(false);
        return done ? null : $"the transport refused SetThrottle for {command.Target} (is MultiNodeConfig.TestTransport on?)";
    }

    private static async Task<string?> ExitAsync(ActorSystem system, int code)
    {
        Console.Out.WriteLine($"[multinode] exit {code} requested by the conductor: terminating the ActorSystem");
        await Task.WhenAny(system.Terminate(), Task.Delay(TimeSpan.FromSeconds(10))).ConfigureAwait(false);
        Console.Out.Flush();
        System.Environment.Exit(code);
        return null;
    }
}
