namespace ProducerConsumer;

/// <summary>Marker bound to <see cref="MessageSerializer"/> in the configuration.</summary>
internal interface IMessage;

/// <summary>Message <paramref name="Seq"/> (0, 1, 2, ...) of producer <paramref name="Producer"/>.</summary>
/// <remarks>Every payload byte is (byte)Seq, so a payload that belongs to another message is noticed.</remarks>
internal sealed record Item(int Producer, long Seq, byte[] Payload) : IMessage;

/// <summary>Consumer to producer: the first <paramref name="Received"/> messages arrived in order.</summary>
internal sealed record Ack(long Received) : IMessage;
