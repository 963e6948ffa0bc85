using System.Runtime.Versioning;

// Like the transport it shows: POSIX shared memory and FIFOs, and /proc for the kernel's view of the channels.
[assembly: SupportedOSPlatform("linux")]
