using Akka.Actor;

namespace Akka.Transport.Ipc.Tests.TestActors;

/// <summary>
/// Receives the streaming test's byte[] messages and checks order, length and content.
/// Replies an <see cref="int"/> (messages received so far) every <see cref="AckEvery"/> messages
/// and a <see cref="string"/> describing the first error, if any.
/// </summary>
public sealed class Verifier : ReceiveActor
{
    public const int AckEvery = 1000;

    private int _expected;
    private int _received;
    private bool _failed;

    public Verifier()
    {
        Receive<byte[]>(payload =>
        {
            _received++;
            if (!_failed && StreamPayload.Verify(payload, _expected) is { } error)
            {
                _failed = true;
                Sender.Tell($"verifier error after {_received - 1} good messages: {error}");
            }

            // Resynchronise on the received number so one gap does not hide what follows.
            var seq = StreamPayload.SequenceOf(payload);
            _expected = seq >= 0 ? seq + 1 : _expected + 1;

            // Keep acking after an error so the sender never stalls waiting for a window slot.
            if (_received % AckEvery == 0)
                Sender.Tell(_received);
        });
    }
}
