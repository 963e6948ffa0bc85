// A user's console app, built by .ci/package-consumer/check.sh OUTSIDE the solution against the packed
// Akka.Transport.Ipc.Hosting package only (which must bring Akka.Transport.Ipc and every dependency with it).
// Two processes of it exchange messages with WithIpcRemoting alone: no HOCON is written here, so the transport's
// defaults must come from the package.
//   Consumer <ipc-directory>                 ping: starts a pong process of itself, sends, checks, exits 0 or 1
//   Consumer <ipc-directory> pong            pong: echoes until its standard input (held by ping) closes
using System.Diagnostics;
using Akka.Actor;
using Akka.Hosting;
using Akka.Transport.Ipc.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

const int Messages = 1000;
string directory = args[0];
bool isPong = args.Length > 1 && args[1] == "pong";

var builder = Host.CreateApplicationBuilder();
builder.Services.AddAkka(isPong ? "Pong" : "Ping", akka =>
{
    akka.WithIpcRemoting(directory: directory);
    if (isPong)
        akka.WithActors((system, _) => system.ActorOf(Props.Create(() => new Echo()), "echo"));
});
using var host = builder.Build();
await host.StartAsync();
var sys = host.Services.GetRequiredService<ActorSystem>();

if (isPong)
{
    Console.WriteLine("PONG " + ((ExtendedActorSystem)sys).Provider.DefaultAddress);
    await Task.Run(() => { while (Console.In.ReadLine() != null) { } });
    await host.StopAsync();
    return 0;
}

var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardInput = true, RedirectStandardOutput = true };
if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
    start.ArgumentList.Add(typeof(Echo).Assembly.Location);
start.ArgumentList.Add(directory);
start.ArgumentList.Add("pong");
using var pong = Process.Start(start)!;
int exitCode = 1;
try
{
    string? line;
    while ((line = pong.StandardOutput.ReadLine()) != null && !line.StartsWith("PONG ", StringComparison.Ordinal)) { }
    if (line == null)
        throw new InvalidOperationException("the pong process exited before printing its address");
    var echo = await sys.ActorSelection(line[5..] + "/user/echo").ResolveOne(TimeSpan.FromSeconds(30));
    for (int i = 0; i < Messages; i++)
    {
        string reply = await echo.Ask<string>($"message {i}", TimeSpan.FromSeconds(30));
        if (reply != $"message {i}")
            throw new InvalidOperationException($"sent 'message {i}', got '{reply}'");
    }
    Console.WriteLine($"consumer: {Messages} messages round-tripped in order between {sys.Name} and {echo.Path.Address}");
    exitCode = 0;
}
catch (Exception e)
{
    Console.Error.WriteLine("consumer: FAILED: " + e);
}
finally
{
    await host.StopAsync();
    pong.StandardInput.Close();
    if (!pong.WaitForExit(TimeSpan.FromSeconds(30)))
    {
        pong.Kill(entireProcessTree: true);
        exitCode = 1;
    }
    else if (pong.ExitCode != 0)
        exitCode = 1;
}
return exitCode;

internal sealed class Echo : ReceiveActor
{
    public Echo() => ReceiveAny(message => Sender.Tell(message));
}
