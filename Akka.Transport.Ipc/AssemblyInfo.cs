using System.Runtime.Versioning;

// POSIX shared memory, named semaphores, FIFOs and flock, with Linux constants: Linux only.
[assembly: SupportedOSPlatform("linux")]
