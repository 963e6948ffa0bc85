using System.Runtime.Versioning;

// Like the transport it extends: Linux only.
[assembly: SupportedOSPlatform("linux")]
