using Akka.Actor;
using Examples.Shared;

namespace ProducerConsumer;

/// <summary>A producer process: sends its numbered stream to the consumer, exits 0 once the last message is acknowledged.</summary>
internal static class Producer
{
    public static async Task<int> RunAsync(Options options)
    {
        string? error;
        var done = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Ctrl+C / SIGTERM stop it (registered first, so the cleanup below always runs); standard input only when the
        // consumer started it and holds the pipe (end of input then means the consumer is gone). Run by hand, in the
        // background or as a service, stdin is /dev/null or closed and means nothing.
        StopSignals.OnStop(reason => done.TrySetResult(reason));
        if (options.ParentStdin)
            StopSignals.OnParentGone(reason => done.TrySetResult(reason));
        using (var system = ActorSystem.Create($"Producer{options.Id}", Hocon.For(options)))
        {
            try
            {
                var consumer = await system.ActorSelection($"{options.Consumer}/user/consumer")
                    .ResolveOne(TimeSpan.FromSeconds(30));
                Console.WriteLine($"producer {options.Id}: sending {options.Messages} messages to {consumer.Path}");
                system.ActorOf(Props.Create(() => new ProducerActor(consumer, options, done)), "producer");
                error = await done.Task;
            }
            catch (ActorNotFoundException)
            {
                error = $"no consumer actor at {options.Consumer}/user/consumer";
            }
            await system.Terminate();
        }
        if (error == null)
            return 0;
        Console.Error.WriteLine($"producer {options.Id}: {error}");
        return 1;
    }
}
