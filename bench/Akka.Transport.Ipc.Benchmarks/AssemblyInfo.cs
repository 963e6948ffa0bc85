using System.Runtime.Versioning;

// Like the transport it measures: POSIX shared memory, semaphores, FIFOs and /proc.
[assembly: SupportedOSPlatform("linux")]
