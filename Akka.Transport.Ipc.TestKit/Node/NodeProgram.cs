using Mono.Unix.Native;
using System.Reflection;
using Akka.Transport.Ipc.TestKit.Protocol;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.TestKit.Node;

/// <summary>
/// The program of a role's process. Started by the conductor as
/// <c>dotnet exec --runtimeconfig Spec.runtimeconfig.json --depsfile Spec.deps.json Akka.Transport.Ipc.TestKit.dll</c>
/// with the run described in environment variables (<see cref="NodeEnvironment"/>): it connects to the conductor,
/// constructs the spec class (whose <see cref="MultiNodeSpec"/> constructor creates this role's ActorSystem and waits
/// for the other roles), runs the test method, meets the others at a final barrier, reports the outcome and exits
/// 0 (passed) or 1 (failed).
/// </summary>
internal static class NodeProgram
{
    /// <summary>The barrier every role enters after the test method, so no role shuts down while others still run.</summary>
    public const string EndBarrier = "multinode-spec-end";

    private const int ExitPassed = 0;
    private const int ExitFailed = 1;
    private const int ExitUsage = 64;
    private const int ExitConductorLost = 70;
    private static readonly TimeSpan DisposeLimit = TimeSpan.FromSeconds(15);

    public static int Main()
    {
        GiveTerminationSignalsTheirDefaultAction();
        var environment = NodeEnvironment.FromProcess();
        if (environment is null)
        {
            Console.Error.WriteLine("Akka.Transport.Ipc.TestKit runs multi-node specs: start them with `dotnet test` ([MultiNodeFact]), not directly.");
            return ExitUsage;
        }

        ConductorClient client;
        try
        {
            client = ConductorClient.Connect(environment.ConductorSocket, environment.Role);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"[multinode] cannot reach the conductor at {environment.ConductorSocket}: {e.Message}");
            return ExitConductorLost;
        }
        client.ConductorLost += ExitNow;
        NodeContext.Current = new NodeContext(environment, client);

        object? spec = null;
        int exitCode;
        try
        {
            var (type, method) = FindTest(environment);
            spec = Construct(type);
            var returned = method.Invoke(spec, null);
            if (returned is Task task)
                task.GetAwaiter().GetResult();
            else if (returned is ValueTask valueTask)
                valueTask.AsTask().GetAwaiter().GetResult();
            client.EnterBarrierAsync(EndBarrier).GetAwaiter().GetResult();
            client.ReportResult(true, null);
            exitCode = ExitPassed;
        }
        catch (Exception e) when (Unwrap(e) is LeaveProcessRequest leave)
        {
            // As an application's Main returning: nothing more of the kit, only the runtime's own way out.
            Console.Out.Flush();
            return leave.ExitCode;
        }
        catch (Exception e) when (SkipReasonOf(Unwrap(e)) is { } reason)
        {
            Console.Out.WriteLine($"[multinode] the spec skipped itself on role {environment.Role}: {reason}");
            TryReportSkipped(client, reason);
            exitCode = ExitPassed;
        }
        catch (Exception e)
        {
            var failure = Unwrap(e);
            Console.Error.WriteLine($"[multinode] the spec failed on role {environment.Role}: {failure}");
            TryReport(client, failure.ToString());
            exitCode = ExitFailed;
        }

        if (spec is IDisposable disposable && !Task.Run(disposable.Dispose).Wait(DisposeLimit))
            Console.Error.WriteLine($"[multinode] the spec's Dispose did not finish within {DisposeLimit}; exiting anyway");
        Console.Out.Flush();
        client.Dispose();
        return exitCode;
    }

    /// <summary>
    /// A role's process reacts to SIGINT, SIGQUIT, SIGHUP and SIGTERM as a program started in a terminal does: a test
    /// host (or a non-interactive shell) may hand them down ignored. Done first, before anything in the process (the
    /// runtime, an ActorSystem, a transport) installs its own handlers, which then work as in any application.
    /// </summary>
    private static void GiveTerminationSignalsTheirDefaultAction()
    {
        foreach (var signal in new[] { Signum.SIGINT, Signum.SIGQUIT, Signum.SIGHUP, Signum.SIGTERM })
            Stdlib.SetSignalAction(signal, SignalAction.Default);
    }

    private static (Type Type, MethodInfo Method) FindTest(NodeEnvironment environment)
    {
        var assemblyName = AssemblyName.GetAssemblyName(environment.SpecAssembly);
        // The spec's assembly is the app of the deps file this process runs with: load it by name into the default
        // context (a LoadFrom copy would have its own types, and the spec's statics would not be the test's).
        var assembly = Assembly.Load(assemblyName);
        var type = assembly.GetType(environment.SpecType, throwOnError: true)!;
        var method = type.GetMethod(environment.SpecMethod, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
            ?? throw new MissingMethodException(type.FullName, environment.SpecMethod);
        return (type, method);
    }

    /// <summary>Constructs the spec with a parameterless constructor or one taking an <see cref="ITestOutputHelper"/>.</summary>
    internal static object Construct(Type type, ITestOutputHelper? output = null)
    {
        foreach (var constructor in type.GetConstructors())
        {
            var parameters = constructor.GetParameters();
            if (parameters.Length == 0)
                return constructor.Invoke(null);
            if (parameters.Length == 1 && parameters[0].ParameterType == typeof(ITestOutputHelper))
                return constructor.Invoke(new object[] { output ?? new ConsoleOutputHelper() });
        }
        throw new MissingMethodException(
            $"{type.FullName} needs a public constructor taking nothing or an ITestOutputHelper to run as a multi-node spec.");
    }

    private static Exception Unwrap(Exception e)
    {
        while (e is TargetInvocationException { InnerException: { } inner })
            e = inner;
        if (e is AggregateException { InnerExceptions.Count: 1 } aggregate)
            return Unwrap(aggregate.InnerExceptions[0]);
        return e;
    }

    /// <summary>
    /// The type that skips a test at run time: Xunit.SkippableFact's <c>Skip.If</c>/<c>Skip.IfNot</c> throw it. Matched
    /// by name, so the kit needs no reference to that package.
    /// </summary>
    internal const string SkipExceptionType = "Xunit.SkipException";

    /// <summary>The skip reason when <paramref name="e"/> is a <see cref="SkipExceptionType"/>, otherwise null.</summary>
    private static string? SkipReasonOf(Exception e) => e.GetType().FullName == SkipExceptionType ? e.Message : null;

    private static void TryReportSkipped(ConductorClient client, string reason)
    {
        try
        {
            client.ReportSkipped(reason);
        }
        catch (IOException)
        {
            // The conductor is gone; it judges this node by its exit code.
        }
    }

    private static void TryReport(ConductorClient client, string text)
    {
        try
        {
            client.ReportResult(false, text);
        }
        catch (IOException)
        {
            // The conductor is gone; it judges this node by its exit code.
        }
    }

    /// <summary>The conductor is gone: leave now, with the ProcessExit clean-up but without waiting for anything else.</summary>
    private static void ExitNow()
    {
        Console.Error.WriteLine("[multinode] the conductor connection closed: exiting");
        var watchdog = new Thread(() =>
        {
            Thread.Sleep(TimeSpan.FromSeconds(5));
            Mono.Unix.Native.Syscall.kill(Environment.ProcessId, Mono.Unix.Native.Signum.SIGKILL);
        }) { IsBackground = true };
        watchdog.Start();
        Environment.Exit(ExitConductorLost);
    }
}
