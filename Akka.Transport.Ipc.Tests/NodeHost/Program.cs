using Akka.Actor;
using Akka.Configuration;
using Akka.Transport.Ipc.Tests.NodeHost;

// Child process of the multi-process tests. Protocol on stdio:
//   stdout: "ADDRESS <akka address>" once the ActorSystem is bound; all other lines are logs.
//   stdin:  commands (NodeCommands), and "STOP" (or EOF, e.g. when the test process dies) for a clean shutdown.
//   stdout: "UNEXPECTED-ERROR <text>" for every ERROR log event not allowed by --allow-errors (see ErrorReporter).
// Exit codes: 0 clean, 1 start failure, 3 system terminated unexpectedly, 4 shutdown timed out,
// 5 clean shutdown but an unexpected ERROR was logged, 64 bad args.

if (RemotePingPongExit.Matches(args))
    return await RemotePingPongExit.RunAsync(args);

NodeOptions options;
try
{
    options = NodeOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    return 64;
}

var config = ConfigurationFactory
    .ParseString("akka.loglevel = INFO")
    .WithFallback(ConfigurationFactory.ParseString(IpcHocon.ForNode(options)));

ActorSystem system;
try
{
    system = ActorSystem.Create(options.SystemName, config);
}
catch (Exception e)
{
    Console.Error.WriteLine($"FAILED to start the ActorSystem: {e}");
    return 1;
}

var errors = ErrorReporter.Install(system, options.AllowedErrors);
system.ActorOf(Props.Create<EchoActor>(), "echo");
system.ActorOf(Props.Create<Verifier>(), "verifier");
system.ActorOf(Props.Create<PerSenderVerifier>(), "per-sender-verifier");

Console.Out.WriteLine($"ADDRESS {((ExtendedActorSystem)system).Provider.DefaultAddress}");
Console.Out.Flush();

// Commands arrive on stdin, one per line, and run one after another (see NodeCommands). Console.In blocks the
// caller, so it is read on a dedicated thread; STOP or EOF (the test process died) ends the loop.
var commands = new NodeCommands(system);
var soak = new SoakCommands(system);
var stopRequested = Task.Factory.StartNew(
    async () =>
    {
        while (Console.In.ReadLine() is { } line)
        {
            if (line.Trim() == "STOP")
                return;
            if (line.Trim().Length == 0)
                continue;
            var answer = SoakCommands.Handles(line.Trim()) ? soak.Run(line.Trim())
                : await commands.RunAsync(line.Trim());
            Console.Out.WriteLine(answer);
            Console.Out.Flush();
        }
    },
    TaskCreationOptions.LongRunning).Unwrap();

if (await Task.WhenAny(stopRequested, system.WhenTerminated) != stopRequested)
{
    Console.Error.WriteLine("ActorSystem terminated before STOP was received.");
    return 3;
}

try
{
    await CoordinatedShutdown.Get(system)
        .Run(CoordinatedShutdown.ClrExitReason.Instance)
        .WaitAsync(TimeSpan.FromSeconds(30));
    await system.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(30));
}
catch (TimeoutException)
{
    Console.Error.WriteLine("ActorSystem shutdown timed out.");
    return 4;
}

Console.Out.WriteLine("STOPPED");
if (errors.UnexpectedCount > 0)
{
    Console.Error.WriteLine($"{errors.UnexpectedCount} unexpected ERROR log event(s); see the UNEXPECTED-ERROR lines.");
    return 5;
}
return 0;
