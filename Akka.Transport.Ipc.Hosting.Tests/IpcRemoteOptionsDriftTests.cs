using System.Reflection;
using System.Xml.Linq;
using Akka.Transport.Ipc.Configuration;
using Akka.Transport.Ipc.Hosting;

namespace Akka.Transport.Ipc.Hosting.Tests;

/// <summary>
/// Keeps <see cref="IpcRemoteOptions"/> and the transport's reference configuration (ipc.conf) in step: a key added
/// to ipc.conf without an option fails here, as does an option that writes no key or a key ipc.conf does not have.
/// </summary>
public sealed class IpcRemoteOptionsDriftTests
{
    /// <summary>Keys of ipc.conf that are not options: WithIpcRemoting sets the transport class itself, and the
    /// transport needs no adapters.</summary>
    private static readonly string[] NotOptions = ["transport-class", "applied-adapters"];

    /// <summary>Keys documented by issue 11 (certain death of co-located peers) that ipc.conf gains when that work
    /// merges. Until then the options may write them ahead of ipc.conf; once ipc.conf has them they are checked like
    /// every other key.</summary>
    private static readonly string[] Pending = ["certain-death", "down-dead-peers"];

    private static readonly PropertyInfo[] Properties = typeof(IpcRemoteOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance);

    [Fact]
    public void Every_key_of_ipc_conf_has_an_option_and_every_option_writes_exactly_one_key_of_ipc_conf()
    {
        var confKeys = ConfKeys().Except(NotOptions).ToHashSet();
        var optionKeys = Properties.ToDictionary(p => p.Name, KeyOf);

        var missing = confKeys.Except(optionKeys.Values).Order().ToList();
        Assert.True(missing.Count == 0, $"keys of ipc.conf without an IpcRemoteOptions property: {string.Join(", ", missing)}");

        var unknown = optionKeys.Where(o => !confKeys.Contains(o.Value) && !Pending.Contains(o.Value)).Select(o => $"{o.Key} -> {o.Value}").ToList();
        Assert.True(unknown.Count == 0, $"options writing keys ipc.conf does not have: {string.Join(", ", unknown)}");

        var duplicates = optionKeys.GroupBy(o => o.Value).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, $"keys written by more than one option: {string.Join(", ", duplicates)}");
    }

    [Fact]
    public void Every_option_is_nullable_and_unset_by_default_so_it_writes_nothing()
    {
        foreach (var property in Properties)
            Assert.True(!property.PropertyType.IsValueType || Nullable.GetUnderlyingType(property.PropertyType) != null,
                $"{property.Name} is {property.PropertyType}, not nullable");
        Assert.Empty(new IpcRemoteOptions().Keys());
        Assert.Equal("", new IpcRemoteOptions().ToHocon());
    }

    /// <summary>Each property's XML documentation names its key's default as ipc.conf has it.</summary>
    [Fact]
    public void Every_option_documents_the_default_ipc_conf_gives_its_key()
    {
        string xmlPath = Path.Combine(AppContext.BaseDirectory, "Akka.Transport.Ipc.Hosting.xml");
        var members = XDocument.Load(xmlPath, LoadOptions.PreserveWhitespace).Descendants("member")
            .ToDictionary(m => (string)m.Attribute("name")!, m => string.Concat(m.Element("summary")!.Nodes().Select(n => n.ToString())));
        var confKeys = ConfKeys().ToHashSet();
        var wrong = new List<string>();
        foreach (var property in Properties)
        {
            string key = KeyOf(property);
            string doc = members[$"P:{typeof(IpcRemoteOptions).FullName}.{property.Name}"];
            if (!doc.Contains($"<c>{key}</c>", StringComparison.Ordinal))
                wrong.Add($"{property.Name}: does not name its key {key}");
            if (!confKeys.Contains(key))
                continue; // a pending key: its default is documented by the issue until ipc.conf has it
            string raw = IpcSettings.DefaultConfig.GetValue(key).ToString();
            string expected = property.PropertyType == typeof(string) ? $"<c>\"{raw}\"</c>" : $"<c>{raw}</c>";
            if (!doc.Contains("<b>Default:</b> " + expected, StringComparison.Ordinal))
                wrong.Add($"{property.Name}: documents no \"Default: {expected}\" (ipc.conf: {key} = {raw})");
        }
        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
    }

    private static IEnumerable<string> ConfKeys() => IpcSettings.DefaultConfig.AsEnumerable().Select(kv => kv.Key);

    /// <summary>The one key an option writes when it alone is set (to a sample value of its type).</summary>
    private static string KeyOf(PropertyInfo property)
    {
        var options = new IpcRemoteOptions();
        property.SetValue(options, SampleValue(property.PropertyType));
        var keys = options.Keys();
        Assert.True(keys.Count == 1, $"{property.Name} set alone writes {keys.Count} keys");
        return keys[0].Key;
    }

    private static object SampleValue(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(string) => "x",
        var t when t == typeof(int) => 1,
        var t when t == typeof(long) => 65536L,
        var t when t == typeof(bool) => true,
        var t when t == typeof(TimeSpan) => TimeSpan.FromSeconds(1),
        var t when t == typeof(IpcMode) => IpcMode.Shm,
        var t => throw new NotSupportedException($"no sample value for {t}: extend the drift test"),
    };
}
