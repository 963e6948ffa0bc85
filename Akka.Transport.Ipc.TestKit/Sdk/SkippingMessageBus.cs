using Xunit.Abstractions;
using Xunit.Sdk;

namespace Akka.Transport.Ipc.TestKit.Sdk;

/// <summary>
/// Passes a multi-node test's messages on, except that a failure by <see cref="MultiNodeSpecSkippedException"/> (the
/// run reported every role skipped) becomes a <see cref="TestSkipped"/> with its reason: xunit 2 only skips before a
/// test runs, and a multi-node spec decides in its roles, while it runs. Counts the tests it turned into skips.
/// </summary>
internal sealed class SkippingMessageBus : IMessageBus
{
    private readonly IMessageBus _inner;

    public SkippingMessageBus(IMessageBus inner) => _inner = inner;

    /// <summary>How many failures became skips.</summary>
    public int Skipped { get; private set; }

    public bool QueueMessage(IMessageSinkMessage message)
    {
        if (message is ITestFailed failed && failed.ExceptionTypes.FirstOrDefault() == typeof(MultiNodeSpecSkippedException).FullName)
        {
            Skipped++;
            return _inner.QueueMessage(new TestSkipped(failed.Test, failed.Messages.FirstOrDefault() ?? "skipped"));
        }
        return _inner.QueueMessage(message);
    }

    public void Dispose()
    {
        // The inner bus belongs to xunit.
    }
}
