using System.CommandLine;
using Akka.Transport.Ipc.Configuration;
using Akka.Transport.Ipc.Tool;

var directoryOption = new Option<string?>("--directory", "-d")
{
    Description = "The IPC directory (akka.remote.ipc.directory); default: the transport's default directory for this user",
};
var jsonOption = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
var dryRunOption = new Option<bool>("--dry-run") { Description = "Only say what would be removed" };
var countOption = new Option<int>("--count") { Description = "Stop after this many refreshes (0 = until Ctrl+C)" };

var list = new Command("list", "Every endpoint in the directory: alive or dead, who it is, its associations and their counts")
{
    directoryOption, jsonOption,
};
list.SetAction(result => Run(() => Commands.List(DirectoryOf(result.GetValue(directoryOption)), result.GetValue(jsonOption), Console.Out)));

var watch = new Command("watch", "The same as list as a live table refreshed every second, with rates") { directoryOption, countOption };
watch.SetAction(result => Run(() => Commands.Watch(DirectoryOf(result.GetValue(directoryOption)), result.GetValue(countOption))));

var clean = new Command("clean", "Removes what dead endpoints left (never anything of a live one) and says what it removed")
{
    directoryOption, dryRunOption,
};
clean.SetAction(result => Run(() => Commands.Clean(DirectoryOf(result.GetValue(directoryOption)), result.GetValue(dryRunOption), Console.Out)));

var root = new RootCommand("akka-ipc: inspect and clean Akka.Transport.Ipc endpoints on this host") { list, watch, clean };
return root.Parse(args).Invoke();

static string DirectoryOf(string? option) =>
    IpcSettings.Create(Akka.Configuration.ConfigurationFactory.ParseString(
        option == null ? "" : $"directory = \"{option.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"")).ResolvedDirectory;

// A user error (no such directory, unreadable files) is one line and exit code 2, never a stack trace.
static int Run(Func<int> command)
{
    try
    {
        return command();
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException or Akka.Configuration.ConfigurationException)
    {
        Console.Error.WriteLine("akka-ipc: " + e.Message);
        return 2;
    }
}
