using System;
using System.Net;
using System.Net.Sockets;

namespace ThrottleKit.TestSupport;

/// <summary>
/// A loopback port that stays this test's own: a socket bound to it and not listening. While held, nobody else can bind it
/// (another test's server asking for port 0 is never handed it), and a connection to it is refused at once — what "nothing
/// listens here" means. A port that was merely free when asked may be taken by the next server that starts.
/// </summary>
public sealed class HeldPort : IDisposable
{
    private Socket? _socket;

    /// <summary>Binds a free loopback port and holds it.</summary>
    public HeldPort()
        : this(0)
    {
    }

    /// <summary>Holds <paramref name="port"/> (a server of the test's own that stopped), or a free one for 0.</summary>
    /// <param name="port">The port, or 0.</param>
    /// <exception cref="SocketException">The port is in use.</exception>
    public HeldPort(int port)
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // Re-binding a port whose server just stopped may meet its closing connections; the address may be reused for that.
            _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, port != 0);
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
        }
        catch
        {
            _socket.Dispose();
            throw;
        }

        Port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
    }

    /// <summary>Gets the port.</summary>
    public int Port { get; }

    /// <summary>Lets the port go, for a server of the test's own to bind it at once (the one moment another process could take it).</summary>
    public void Release()
    {
        _socket?.Dispose();
        _socket = null;
    }

    /// <inheritdoc />
    public void Dispose() => Release();
}
