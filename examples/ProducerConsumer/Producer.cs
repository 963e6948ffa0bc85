using Akka.Actor;

namespace ProducerConsumer;

/// <summary>A producer process: sends its numbered stream to the consumer, exits 0 once the last message is acknowledged.</summary>
internal static class Producer
{
    public static async Task<int> RunAsync(Options options)
    {
        string? error;
        using (var system = ActorSystem.Create($"Producer{options.Id}", Hocon.For(options)))
        {
            try
            {
                var consumer = await system.ActorSelection($"{options.Consumer}/user/consumer")
                    .ResolveOne(TimeSpan.FromSeconds(30));
                var done = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
                StopSignals.OnStop(reason => done.TrySetResult(reason));
                // The consumer holds our stdin open; end of input means it is gone, so don't wait for acks forever.
                _ = Task.Run(() =>
                {
                    while (Console.In.ReadLine() != null) { }
                    done.TrySetResult("standard input closed: the consumer has gone away");
                });
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
