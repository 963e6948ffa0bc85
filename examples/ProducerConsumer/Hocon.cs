using Akka.Configuration;

namespace ProducerConsumer;

/// <summary>Configuration of both sides: the transport section is the only thing that differs between TCP and IPC.</summary>
internal static class Hocon
{
    public static Config For(Options options)
    {
        // Both peers derive the frame limit from the same --size, so they agree on it (the IPC transport requires that).
        int frame = Math.Max(128_000, options.Size + 4096);
        string transport = options.Mode == "tcp"
            ? $$"""
                akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0, maximum-frame-size = {{frame}}b }
                """
            : $$"""
                akka.remote {
                  enabled-transports = ["akka.remote.ipc"]
                  ipc {
                    transport-class = "Akka.Transport.Ipc.IpcTransport, Akka.Transport.Ipc"
                    port = 0
                    mode = {{options.Mode}}
                    directory = "{{options.Directory}}"
                    maximum-frame-size = {{frame}}b
                  }
                }
                """;
        return ConfigurationFactory.ParseString($$"""
            akka.actor.provider = remote
            akka.loglevel = WARNING
            # A compact binary format instead of the default JSON, so the run measures the transport, not JSON.
            akka.actor {
              serializers.producer-consumer = "ProducerConsumer.MessageSerializer, ProducerConsumer"
              serialization-bindings { "ProducerConsumer.IMessage, ProducerConsumer" = producer-consumer }
            }
            {{transport}}
            """);
    }
}
