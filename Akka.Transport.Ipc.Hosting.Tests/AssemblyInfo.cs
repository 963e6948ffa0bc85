using System.Runtime.Versioning;

// The transport under test runs on Linux only.
[assembly: SupportedOSPlatform("linux")]
