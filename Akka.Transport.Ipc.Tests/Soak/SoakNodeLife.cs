using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Transport.Ipc.Tests.MultiNode.Specs;
using Akka.Transport.Ipc.Tests.Infrastructure;

namespace Akka.Transport.Ipc.Tests.Soak;

/// <summary>
/// A soak node's life inside its role's process: its output teed into its file (<see cref="SoakFiles"/>), an
/// ActorSystem of its own ("Soak{slot}") in the soak's tmpfs on the port the driver chose, the soak's receiver and
/// coordinator (SoakReceiver, SoakNode), and a watch on the peers file: each new version is handed to the coordinator.
/// Prints, besides the soak actors' lines:
/// <code>
///   SOAK-LIFE ts address pid          the life's system is up (ts taken just before it was created)
///   SOAK-PEERS-APPLIED ts version     the coordinator now streams to that version's peers
/// </code>
/// </summary>
internal sealed class SoakNodeLife
{
    private static readonly TimeSpan PeersPoll = TimeSpan.FromMilliseconds(100);
    private readonly CancellationTokenSource _stop = new();
    private readonly ActorSystem _system;
    private readonly Task _watch;

    private SoakNodeLife(ActorSystem system, SoakFiles files, int rate)
    {
        _system = system;
        system.ActorOf(Props.Create<SoakReceiver>(), SoakReceiver.Name);
        var node = system.ActorOf(Props.Create(() => new SoakNode(rate)), SoakNode.Name);
        string self = ((ExtendedActorSystem)system).Provider.DefaultAddress.ToString();
        _watch = Task.Run(() => WatchPeersAsync(files, node, self));
    }

    public static SoakNodeLife Start(SoakFiles files, int slot, int life, string mode, int rate, string ringSize, string maxFrame)
    {
        ConsoleTee.Start(files.OutputOf(slot, life));
        int port = life == 0 ? 0 : files.PortOf(slot);
        var config = ConfigurationFactory.ParseString($$"""
            akka.loglevel = INFO
            akka.actor.provider = remote
            akka.remote.enabled-transports = ["akka.remote.ipc"]
            akka.remote.ipc {
              transport-class = "Akka.Transport.Ipc.IpcTransport, Akka.Transport.Ipc"
              hostname = localhost
              port = {{port}}
              directory = "{{files.TmpfsPath}}"
              mode = {{mode}}
              ring-size = {{ringSize}}
              maximum-frame-size = {{maxFrame}}
              connection-timeout = 15s
            }
            akka.coordinated-shutdown.exit-clr = off
            """);
        long started = Stopwatch.GetTimestamp();
        var system = ActorSystem.Create($"Soak{slot}", config);
        ErrorReporter.Install(system, ""); // UNEXPECTED-ERROR lines: the driver fails the soak on them
        Print($"SOAK-LIFE {started} {((ExtendedActorSystem)system).Provider.DefaultAddress} {Environment.ProcessId}");
        return new SoakNodeLife(system, files, rate);
    }

    /// <summary>Stops watching the peers and terminates the life's system (the old NodeHost harness's STOP).</summary>
    public void Stop(TimeSpan limit)
    {
        _stop.Cancel();
        _watch.Wait(limit);
        Assert.True(_system.Terminate().Wait(limit), $"the soak system did not terminate within {limit}");
    }

    private async Task WatchPeersAsync(SoakFiles files, IActorRef node, string self)
    {
        int applied = 0;
        while (!_stop.IsCancellationRequested)
        {
            var (version, addresses) = files.ReadPeers();
            if (version > applied)
            {
                node.Tell(new SoakNode.Peers(addresses.Where(a => a != self).ToList()));
                applied = version;
                Print($"SOAK-PEERS-APPLIED {Stopwatch.GetTimestamp()} {version}");
            }
            try
            {
                await Task.Delay(PeersPoll, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static void Print(string line)
    {
        Console.Out.WriteLine(line);
        Console.Out.Flush();
    }
}
