using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;

namespace ThrottleKit.TestSupport;

/// <summary>A redis-server process of a test's own on a free loopback port, which a test may stop and start again.</summary>
public sealed class LocalRedisServer : IAsyncDisposable
{
    private Process? _process;
    private HeldPort? _stopped;

    private readonly string _arguments;

    private LocalRedisServer(int port, string arguments)
    {
        Port = port;
        _arguments = arguments;
    }

    /// <summary>Gets the port.</summary>
    public int Port { get; }

    /// <summary>Gets the StackExchange.Redis configuration string.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>THROTTLEKIT_REDIS (host:port, set by <c>.ci/run</c>) when given; otherwise <see langword="null"/>.</summary>
    public static string? Configured => Environment.GetEnvironmentVariable("THROTTLEKIT_REDIS") is { Length: > 0 } value ? value : null;

    /// <summary>Starts redis-server on a free loopback port.</summary>
    /// <returns>The running server.</returns>
    public static Task<LocalRedisServer> StartAsync() => StartAsync([]);

    /// <summary>Starts redis-server on a free loopback port with further settings, e.g. <c>--requirepass secret</c>.</summary>
    /// <param name="settings">redis-server command-line settings.</param>
    /// <returns>The running server.</returns>
    public static async Task<LocalRedisServer> StartAsync(params string[] settings)
    {
        // A port free when asked may be taken before redis-server binds it (another test's server, another process): then
        // redis-server exits at once, and the next port is tried.
        for (var attempt = 1; ; attempt++)
        {
            var held = new HeldPort();
            var server = new LocalRedisServer(held.Port, string.Concat(settings.Select(s => " " + s)));
            held.Release();
            if (await server.TryStartAsync())
            {
                return server;
            }

            if (attempt == 5)
            {
                throw new InvalidOperationException($"redis-server did not start on any of five free ports, the last {server.Port}.");
            }
        }
    }

    /// <summary>Starts the server (again) on the same port.</summary>
    /// <returns>A task that completes when it accepts connections.</returns>
    public async Task StartAgainAsync()
    {
        _stopped?.Release();
        _stopped = null;
        if (!await TryStartAsync())
        {
            throw new InvalidOperationException($"redis-server did not start again on port {Port}: something else took it while the server was stopped.");
        }
    }

    private async Task<bool> TryStartAsync()
    {
        var executable = FindExecutable()
            ?? throw new InvalidOperationException("redis-server is not on PATH. Install it (Debian/Ubuntu: apt-get install -y redis-server) or set THROTTLEKIT_REDIS to host:port of a server the tests may use; `.ci/run` does both.");
        _process = Process.Start(new ProcessStartInfo(executable, $"--port {Port} --bind 127.0.0.1 --save \"\" --appendonly no --protected-mode no{_arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        for (var i = 0; i < 400; i++)
        {
            if (_process.HasExited)
            {
                _process.Dispose();
                _process = null;
                return false;
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(25);
            }
        }

        throw new InvalidOperationException($"redis-server did not start on port {Port}.");
    }

    /// <summary>Kills the server, as a crash would.</summary>
    /// <returns>A task that completes when it has exited.</returns>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;

        // While stopped the port stays the test's own: connections to it are refused, and nobody else takes it before the
        // server starts again. (A port with connections closing may not be bound; then it is simply left.)
        try
        {
            _stopped ??= new HeldPort(Port);
        }
        catch (SocketException)
        {
        }
    }

    /// <summary>
    /// Freezes the server (SIGSTOP), as a hung process, a network partition or a stalled failover looks to a client: connections
    /// stay open and nothing answers.
    /// </summary>
    public void Freeze() => Signal(Sigstop);

    /// <summary>Lets a frozen server run on (SIGCONT); it answers everything that waited.</summary>
    public void Thaw() => Signal(Sigcont);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Thaw();
        await StopAsync();
        _stopped?.Dispose();
    }

    private const int Sigcont = 18;
    private const int Sigstop = 19;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private void Signal(int signal)
    {
        if (_process is { HasExited: false } process && Kill(process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({process.Id}, {signal}) failed: errno {System.Runtime.InteropServices.Marshal.GetLastWin32Error()}.");
        }
    }

    private static string? FindExecutable()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(directory, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
