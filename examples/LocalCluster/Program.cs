using LocalCluster;

if (args is ["--help"] or ["-h"])
{
    Console.WriteLine(Options.Usage);
    return 0;
}

Options options;
try
{
    options = Options.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine("Usage: " + Options.Usage);
    return 2;
}

return options.Role == "node" ? await Node.RunAsync(options) : await Orchestrator.RunAsync(options);
