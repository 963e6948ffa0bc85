using System.Buffers.Binary;
using Akka.Actor;
using Akka.Serialization;

namespace ProducerConsumer;

/// <summary>
/// Item = [1][int32 producer][int64 seq][payload], Ack = [2][int64 received], little-endian. A type byte instead of
/// a manifest keeps every frame small.
/// </summary>
internal sealed class MessageSerializer(ExtendedActorSystem system) : Serializer(system)
{
    private const byte ItemTag = 1, AckTag = 2;
    private const int ItemHeader = 1 + 4 + 8;

    public override int Identifier => 5317; // any id not taken by Akka's own serializers (those are below 100)

    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj)
    {
        switch (obj)
        {
            case Item item:
                var bytes = new byte[ItemHeader + item.Payload.Length];
                bytes[0] = ItemTag;
                BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(1), item.Producer);
                BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(5), item.Seq);
                item.Payload.CopyTo(bytes, ItemHeader);
                return bytes;
            case Ack ack:
                var ackBytes = new byte[9];
                ackBytes[0] = AckTag;
                BinaryPrimitives.WriteInt64LittleEndian(ackBytes.AsSpan(1), ack.Received);
                return ackBytes;
            default:
                throw new ArgumentException($"Cannot serialize {obj.GetType()}", nameof(obj));
        }
    }

    public override object FromBinary(byte[] bytes, Type type) => bytes switch
    {
        [ItemTag, ..] when bytes.Length >= ItemHeader => new Item(
            BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(1)),
            BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(5)),
            bytes[ItemHeader..]),
        [AckTag, ..] when bytes.Length == 9 => new Ack(BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(1))),
        _ => throw new System.Runtime.Serialization.SerializationException($"Malformed message of {bytes.Length} bytes"),
    };
}
