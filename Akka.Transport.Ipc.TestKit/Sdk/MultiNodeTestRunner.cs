using System.Reflection;
using Akka.Transport.Ipc.TestKit.Conductor;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Akka.Transport.Ipc.TestKit.Sdk;

/// <summary>
/// Runs one multi-node test: <see cref="MultiNodeRun"/> with the attribute's time-out; its output becomes the test's
/// output, and a failed run fails the test with <see cref="MultiNodeSpecFailedException"/>; a run skipped on every role
/// throws <see cref="MultiNodeSpecSkippedException"/>, which <see cref="SkippingMessageBus"/> reports as skipped.
/// </summary>
internal sealed class MultiNodeTestRunner : XunitTestRunner
{
    public MultiNodeTestRunner(ITest test, IMessageBus messageBus, Type testClass, object[] constructorArguments, MethodInfo testMethod,
        object[] testMethodArguments, string skipReason, IReadOnlyList<BeforeAfterTestAttribute> beforeAfterAttributes,
        ExceptionAggregator aggregator, CancellationTokenSource cancellationTokenSource)
        : base(test, messageBus, testClass, constructorArguments, testMethod, testMethodArguments, skipReason, beforeAfterAttributes,
            aggregator, cancellationTokenSource)
    {
    }

    protected override async Task<Tuple<decimal, string>> InvokeTestAsync(ExceptionAggregator aggregator)
    {
        int timeoutMs = Test.TestCase is XunitTestCase { Timeout: > 0 } testCase ? testCase.Timeout : 0;
        var timeout = timeoutMs > 0 ? TimeSpan.FromMilliseconds(timeoutMs) : MultiNodeRun.DefaultTimeout;
        MultiNodeRunResult? result = null;
        await aggregator.RunAsync(async () =>
        {
            result = await MultiNodeRun.RunAsync(TestClass, TestMethod.Name, timeout, cancellation: CancellationTokenSource.Token)
                .ConfigureAwait(false);
            if (result.Skipped)
                throw new MultiNodeSpecSkippedException(result.SkipReason!);
            if (!result.Passed)
                throw new MultiNodeSpecFailedException(result.FailureMessage());
        }).ConfigureAwait(false);
        string output = result is null ? "" : string.Join(Environment.NewLine, result.OutputLines) + Environment.NewLine;
        return Tuple.Create((decimal)(result?.Elapsed.TotalSeconds ?? 0), output);
    }
}
