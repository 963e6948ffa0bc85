// The transport runs on Linux only (flock, FIFOs, POSIX semaphores, /proc); so does its tool.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
