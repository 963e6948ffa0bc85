using Xunit.Abstractions;
using Xunit.Sdk;

namespace Akka.Transport.Ipc.TestKit.Sdk;

/// <summary>Makes a <see cref="MultiNodeTestCase"/> of each <see cref="MultiNodeFactAttribute"/> method.</summary>
public sealed class MultiNodeFactDiscoverer : IXunitTestCaseDiscoverer
{
    private readonly IMessageSink _diagnostics;

    public MultiNodeFactDiscoverer(IMessageSink diagnosticMessageSink) => _diagnostics = diagnosticMessageSink;

    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        yield return new MultiNodeTestCase(_diagnostics, discoveryOptions.MethodDisplayOrDefault(),
            discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod);
    }
}
