using System.Net.Sockets;
using System.Text;

namespace Akka.Transport.Ipc.TestKit.Protocol;

/// <summary>
/// One end of a conductor connection: writes whole lines under a lock (any thread), reads them on one loop that
/// <see cref="RunReaderAsync"/> owns. Owns the socket.
/// </summary>
internal sealed class MessageChannel : IDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;
    private readonly object _writeLock = new();

    public MessageChannel(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new StreamReader(_stream, Encoding.UTF8);
    }

    /// <summary>Connects to the conductor's socket at <paramref name="path"/>.</summary>
    public static MessageChannel Connect(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new MessageChannel(socket);
    }

    /// <summary>Sends one message; false when the other end is gone (the caller decides what that means).</summary>
    public bool TrySend(ConductorMessage message)
    {
        var bytes = Encoding.UTF8.GetBytes(message.ToLine() + "\n");
        lock (_writeLock)
        {
            try
            {
                _stream.Write(bytes);
                _stream.Flush();
                return true;
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// Reads messages until the other end closes or this channel is disposed, handing each to
    /// <paramref name="onMessage"/>. A malformed line ends the loop with its error.
    /// </summary>
    public async Task RunReaderAsync(Action<ConductorMessage> onMessage)
    {
        while (true)
        {
            string? line;
            try
            {
                line = await _reader.ReadLineAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
            {
                return;
            }
            if (line is null)
                return;
            if (line.Length == 0)
                continue;
            onMessage(ConductorMessage.Parse(line));
        }
    }

    public void Dispose()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed by the other end.
        }
        _reader.Dispose();
        _stream.Dispose();
    }
}
