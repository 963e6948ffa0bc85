using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Endpoint;

/// <summary>Reads connect requests from the endpoint's accept FIFO, on the poll thread.</summary>
internal sealed unsafe class AcceptHandler : IPollHandler
{
    private readonly Rendezvous _endpoint;
    private readonly Action<string> _onWarning;
    private readonly byte[] _buffer = new byte[ConnectRequest.Length * 8];

    public AcceptHandler(Rendezvous endpoint, Action<string> onWarning)
    {
        _endpoint = endpoint;
        _onWarning = onWarning;
    }

    private void Accept(ConnectRequest request)
    {
        try
        {
            _endpoint.OnConnectRequest(request);
        }
        catch (Exception e)
        {
            // One bad request must not stop the endpoint from accepting others.
            _onWarning($"Failed to accept a connection from port {request.ClientPort} (pid {request.ClientPid}): {e.Message}");
        }
    }

    public bool OnReady(PollRegistration registration, short events)
    {
        while (true)
        {
            nint read;
            fixed (byte* p = _buffer)
                read = LibC.Read(registration.Fd.Fd, p, _buffer.Length);
            if (read < 0 && LibC.Errno == Errno.EINTR)
                continue;
            if (read <= 0)
                return true; // EAGAIN: drained. We hold a writer ourselves, so there is never EOF.
            // Requests are written whole (below PIPE_BUF) and the buffer holds whole requests, so none is split.
            for (int offset = 0; offset + ConnectRequest.Length <= read; offset += ConnectRequest.Length)
            {
                var request = ConnectRequest.TryRead(_buffer.AsSpan(offset, ConnectRequest.Length), out string? error);
                if (request == null)
                    _onWarning($"Ignored a malformed connect request on port {_endpoint.Port}: {error}");
                else
                    Accept(request);
            }
        }
    }
}
