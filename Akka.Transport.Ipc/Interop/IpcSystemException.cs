namespace Akka.Transport.Ipc.Interop;

/// <summary>A system call failed; the message names the call, the object and the errno text.</summary>
public sealed class IpcSystemException : IOException
{
    public IpcSystemException(string operation, string target, int errno)
        : base($"{operation} failed for '{target}': {LibC.Describe(errno)}") => Errno = errno;

    /// <summary>The errno the call reported.</summary>
    public int Errno { get; }
}
