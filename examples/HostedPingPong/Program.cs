using System.Diagnostics;
using Akka.Actor;
using Akka.Hosting;
using Akka.Transport.Ipc.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// Ping-pong between two processes, each a generic host (IHost) whose ActorSystem is configured with one call,
// WithIpcRemoting, from the "Ipc" section of appsettings.json (overridable from the command line: --Ipc:Mode Fifo,
// --Ipc:Directory /dev/shm/mine, or the environment: Ipc__RingSize=1048576).
//   dotnet run --project examples/HostedPingPong                              ping; starts its own pong process
//   dotnet run --project examples/HostedPingPong -- --role pong --Ipc:Port 4053
//   dotnet run --project examples/HostedPingPong -- --pong akka.ipc://Pong@localhost:4053 --messages 1000
var settings = new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory };
var builder = Host.CreateApplicationBuilder(settings);
var ipc = builder.Configuration.GetSection("Ipc").Get<IpcRemoteOptions>() ?? new IpcRemoteOptions();
string role = builder.Configuration["role"] ?? "ping";
if (role != "ping" && role != "pong")
{
    Console.Error.WriteLine($"--role must be ping or pong, not '{role}'");
    return 2;
}
if (role == "ping")
    ipc.Port = 0; // the pong takes the configured port

builder.Services.AddAkka(role == "pong" ? "Pong" : "Ping", akka =>
{
    akka.WithIpcRemoting(ipc);
    if (role == "pong")
        akka.WithActors((system, registry) => registry.Register<Echo>(system.ActorOf(Props.Create(() => new Echo()), "pong")));
});

using var host = builder.Build();
await host.StartAsync();
var system = host.Services.GetRequiredService<ActorSystem>();
return role == "pong"
    ? await Pong.RunAsync(host, system, builder.Configuration["parent-stdin"] == "true")
    : await Ping.RunAsync(host, system, builder.Configuration, args);

/// <summary>Replies every message to its sender.</summary>
internal sealed class Echo : ReceiveActor
{
    public Echo() => ReceiveAny(message => Sender.Tell(message));
}

internal static class Pong
{
    /// <summary>Serves until the host stops: Ctrl+C or SIGTERM (the host's console lifetime), or, for a pong started by
    /// ping, the end of its standard input (the parent went away).</summary>
    public static async Task<int> RunAsync(IHost host, ActorSystem system, bool parentStdin)
    {
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        if (parentStdin)
            _ = Task.Run(() =>
            {
                while (Console.In.ReadLine() != null) { }
                lifetime.StopApplication();
            });
        Console.WriteLine("PONG " + ((ExtendedActorSystem)system).Provider.DefaultAddress);
        await host.WaitForShutdownAsync();
        Console.WriteLine("pong: stopped");
        return 0;
    }
}

internal static class Ping
{
    /// <summary>Sequential round trips; exit code 0 only if every reply came back equal to what was sent.</summary>
    public static async Task<int> RunAsync(IHost host, ActorSystem system, IConfiguration configuration, string[] args)
    {
        int messages = int.Parse(configuration["messages"] ?? "10000", System.Globalization.CultureInfo.InvariantCulture);
        Process? pongProcess = null;
        try
        {
            string? pongAddress = configuration["pong"];
            if (pongAddress == null)
                (pongProcess, pongAddress) = StartPong(args);
            var pong = await system.ActorSelection($"{pongAddress}/user/pong").ResolveOne(TimeSpan.FromSeconds(30));
            var elapsed = Stopwatch.StartNew();
            for (int i = 0; i < messages; i++)
            {
                string sent = "ping " + i;
                string reply = await pong.Ask<string>(sent, TimeSpan.FromSeconds(30));
                if (reply != sent)
                {
                    Console.Error.WriteLine($"ping: sent '{sent}', got '{reply}'");
                    return 1;
                }
            }
            Console.WriteLine($"ping: {messages} round trips with {pong.Path.Address} in order, {elapsed.Elapsed.TotalMilliseconds:F0} ms " +
                $"({messages / elapsed.Elapsed.TotalSeconds:F0} round trips/s)");
            return 0;
        }
        finally
        {
            await host.StopAsync();
            StopPong(pongProcess);
        }
    }

    /// <summary>This program again, as the pong, with the same configuration arguments; it stops when our stdin pipe to it closes.</summary>
    private static (Process, string) StartPong(string[] args)
    {
        string self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            start.ArgumentList.Add(typeof(Ping).Assembly.Location);
        foreach (var arg in args.Concat(["--role", "pong", "--parent-stdin", "true"]))
            start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        while (process.StandardOutput.ReadLine() is { } line)
            if (line.StartsWith("PONG ", StringComparison.Ordinal))
                return (process, line[5..]);
        throw new InvalidOperationException("The pong process exited before reporting its address.");
    }

    private static void StopPong(Process? process)
    {
        if (process == null)
            return;
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
            process.Kill(entireProcessTree: true);
        process.Dispose();
    }
}
