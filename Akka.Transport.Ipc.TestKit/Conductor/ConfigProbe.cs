namespace Akka.Transport.Ipc.TestKit.Conductor;

/// <summary>
/// Learns a spec's <see cref="MultiNodeConfig"/> in the test process without starting anything: constructs the spec
/// with probing on, and <see cref="MultiNodeSpec"/>'s base-constructor argument throws <see cref="Captured"/> with the
/// config before the TestKit (and its ActorSystem) is built. Field initialisers of the spec run; its constructor body
/// does not.
/// </summary>
internal static class ConfigProbe
{
    private static readonly AsyncLocal<bool> Probing = new();

    public sealed class Captured : Exception
    {
        public Captured(MultiNodeConfig config) : base("config captured") => Config = config;

        public MultiNodeConfig Config { get; }
    }

    public static void ThrowIfProbing(MultiNodeConfig config)
    {
        if (Probing.Value)
            throw new Captured(config);
    }

    public static MultiNodeConfig ConfigOf(Type specType)
    {
        if (!typeof(MultiNodeSpec).IsAssignableFrom(specType))
            throw new ArgumentException($"{specType.FullName} is not a MultiNodeSpec.", nameof(specType));
        Probing.Value = true;
        try
        {
            Node.NodeProgram.Construct(specType, new ProbeOutput());
        }
        catch (Exception e) when (Find(e) is { } captured)
        {
            return captured.Config;
        }
        finally
        {
            Probing.Value = false;
        }
        throw new InvalidOperationException($"{specType.FullName} did not pass a MultiNodeConfig to MultiNodeSpec's constructor.");
    }

    private static Captured? Find(Exception e)
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            if (current is Captured captured)
                return captured;
        }
        return null;
    }

    private sealed class ProbeOutput : global::Xunit.Abstractions.ITestOutputHelper
    {
        public void WriteLine(string message)
        {
        }

        public void WriteLine(string format, params object[] args)
        {
        }
    }
}
