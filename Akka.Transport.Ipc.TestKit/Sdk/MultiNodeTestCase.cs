using System.ComponentModel;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Akka.Transport.Ipc.TestKit.Sdk;

/// <summary>
/// A multi-node test: instead of constructing the spec and invoking the method in the test process, running it runs
/// the method in one process per role (<see cref="MultiNodeTestRunner"/>).
/// </summary>
public sealed class MultiNodeTestCase : XunitTestCase
{
    [EditorBrowsable(EditorBrowsableState.Never)]
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public MultiNodeTestCase()
    {
    }

    public MultiNodeTestCase(IMessageSink diagnosticMessageSink, TestMethodDisplay defaultMethodDisplay,
        TestMethodDisplayOptions defaultMethodDisplayOptions, ITestMethod testMethod)
        : base(diagnosticMessageSink, defaultMethodDisplay, defaultMethodDisplayOptions, testMethod)
    {
    }

    public override Task<RunSummary> RunAsync(IMessageSink diagnosticMessageSink, IMessageBus messageBus,
        object[] constructorArguments, ExceptionAggregator aggregator, CancellationTokenSource cancellationTokenSource) =>
        new MultiNodeTestCaseRunner(this, DisplayName, SkipReason, constructorArguments, messageBus, aggregator, cancellationTokenSource)
            .RunAsync();

    private sealed class MultiNodeTestCaseRunner : XunitTestCaseRunner
    {
        public MultiNodeTestCaseRunner(IXunitTestCase testCase, string displayName, string skipReason, object[] constructorArguments,
            IMessageBus messageBus, ExceptionAggregator aggregator, CancellationTokenSource cancellationTokenSource)
            : base(testCase, displayName, skipReason, constructorArguments, Array.Empty<object>(), messageBus, aggregator, cancellationTokenSource)
        {
        }

        /// <summary>Runs the test; a run skipped on every role counts as skipped, not failed (<see cref="SkippingMessageBus"/>).</summary>
        protected override async Task<RunSummary> RunTestAsync()
        {
            var bus = new SkippingMessageBus(MessageBus);
            var summary = await new MultiNodeTestRunner(new XunitTest(TestCase, DisplayName), bus, TestClass, ConstructorArguments, TestMethod,
                TestMethodArguments, SkipReason, BeforeAfterAttributes, new ExceptionAggregator(Aggregator), CancellationTokenSource)
                .RunAsync().ConfigureAwait(false);
            summary.Failed -= bus.Skipped;
            summary.Skipped += bus.Skipped;
            return summary;
        }
    }
}
