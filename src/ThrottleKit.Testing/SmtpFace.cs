using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ThrottleKit.Testing;

/// <summary>
/// SES's SMTP interface, as the emulator speaks it (no TLS): EHLO, AUTH PLAIN and LOGIN (any credentials; the user name is the
/// account), MAIL, RCPT, DATA, RSET, NOOP, QUIT. A message is decided after DATA, against the same quotas as the HTTP face:
/// each RCPT is a recipient, and a throttle is <c>454 Throttling failure: Maximum sending rate exceeded.</c> The connection
/// stays usable after a 454, as SES's does.
/// </summary>
internal sealed class SmtpFace : IAsyncDisposable
{
    private readonly SesEmulator _emulator;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _sessions = [];
    private readonly Task _accepting;

    private SmtpFace(SesEmulator emulator)
    {
        _emulator = emulator;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    public static SmtpFace Start(SesEmulator emulator) => new(emulator);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _accepting.ConfigureAwait(false);
        Task[] sessions;
        lock (_sessions)
        {
            sessions = [.. _sessions];
        }

        await Task.WhenAll(sessions).ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception error) when (error is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            catch (InvalidOperationException) when (_stop.IsCancellationRequested)
            {
                // Stopped between the loop's check and the accept: the listener says it is not listening.
                return;
            }

            lock (_sessions)
            {
                _sessions.RemoveAll(s => s.IsCompleted);
                _sessions.Add(Task.Run(() => ServeAsync(client)));
            }
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                using var session = new Session(this, client.GetStream());
                await session.RunAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception error) when (error is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
            {
                // The client went away, or the emulator is stopping.
            }
        }
    }

    private sealed class Session(SmtpFace face, NetworkStream stream) : IDisposable
    {
        private readonly StreamReader _reader = new(stream, Encoding.ASCII);
        private readonly StreamWriter _writer = new(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        private readonly HashSet<string> _recipients = new(StringComparer.OrdinalIgnoreCase);
        private string? _account;
        private bool _mailFrom;
        private int _accepted;

        public void Dispose()
        {
            _reader.Dispose();
            _writer.Dispose();
        }

        public async Task RunAsync(CancellationToken stop)
        {
            await ReplyAsync("220 email-smtp.emulator.local ESMTP SimpleEmailService").ConfigureAwait(false);
            while (!stop.IsCancellationRequested && await _reader.ReadLineAsync(stop).ConfigureAwait(false) is { } line)
            {
                var verb = (line.Length >= 4 ? line[..4] : line).ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await ReplyAsync("250-email-smtp.emulator.local", "250-8BITMIME", "250-AUTH PLAIN LOGIN", "250 Ok").ConfigureAwait(false);
                        break;
                    case "HELO":
                        await ReplyAsync("250 email-smtp.emulator.local").ConfigureAwait(false);
                        break;
                    case "AUTH":
                        await AuthenticateAsync(line, stop).ConfigureAwait(false);
                        break;
                    case "MAIL":
                        if (_account is null)
                        {
                            await ReplyAsync("530 Authentication required").ConfigureAwait(false);
                            break;
                        }

                        if (_accepted >= face._emulator.Options.SmtpMessagesPerSession)
                        {
                            // The session has carried its share; nothing of this message was taken.
                            await ReplyAsync("421 Too many messages on this connection; closing, reconnect to send more.").ConfigureAwait(false);
                            return;
                        }

                        _mailFrom = true;
                        _recipients.Clear();
                        await ReplyAsync("250 Ok").ConfigureAwait(false);
                        break;
                    case "RCPT":
                        _recipients.Add(Address(line));
                        await ReplyAsync("250 Ok").ConfigureAwait(false);
                        break;
                    case "DATA":
                        if (!_mailFrom || _recipients.Count == 0)
                        {
                            await ReplyAsync("503 Bad sequence of commands").ConfigureAwait(false);
                            break;
                        }

                        await ReceiveAsync(stop).ConfigureAwait(false);
                        break;
                    case "RSET":
                        _mailFrom = false;
                        _recipients.Clear();
                        await ReplyAsync("250 Ok").ConfigureAwait(false);
                        break;
                    case "NOOP":
                        await ReplyAsync("250 Ok").ConfigureAwait(false);
                        break;
                    case "QUIT":
                        await ReplyAsync("221 Bye").ConfigureAwait(false);
                        return;
                    default:
                        await ReplyAsync("502 Command not implemented").ConfigureAwait(false);
                        break;
                }
            }
        }

        private static string Address(string line)
        {
            var open = line.IndexOf('<', StringComparison.Ordinal);
            var close = line.IndexOf('>', StringComparison.Ordinal);
            return open >= 0 && close > open ? line[(open + 1)..close] : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }

        private async Task AuthenticateAsync(string line, CancellationToken stop)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var mechanism = parts.Length > 1 ? parts[1].ToUpperInvariant() : string.Empty;
            if (mechanism == "PLAIN")
            {
                var initial = parts.Length > 2 ? parts[2] : await AskAsync("334 ", stop).ConfigureAwait(false);

                // authzid NUL authcid NUL password
                var fields = Encoding.UTF8.GetString(Convert.FromBase64String(initial ?? string.Empty)).Split('\0');
                _account = fields.Length >= 2 ? fields[1] : string.Empty;
            }
            else if (mechanism == "LOGIN")
            {
                var user = parts.Length > 2 ? parts[2] : await AskAsync("334 VXNlcm5hbWU6", stop).ConfigureAwait(false);
                await AskAsync("334 UGFzc3dvcmQ6", stop).ConfigureAwait(false);
                _account = Encoding.UTF8.GetString(Convert.FromBase64String(user ?? string.Empty));
            }
            else
            {
                await ReplyAsync("504 Unrecognized authentication type").ConfigureAwait(false);
                return;
            }

            await ReplyAsync("235 Authentication successful.").ConfigureAwait(false);
        }

        private async Task<string?> AskAsync(string prompt, CancellationToken stop)
        {
            await ReplyAsync(prompt).ConfigureAwait(false);
            return await _reader.ReadLineAsync(stop).ConfigureAwait(false);
        }

        private async Task ReceiveAsync(CancellationToken stop)
        {
            await ReplyAsync("354 End data with <CR><LF>.<CR><LF>").ConfigureAwait(false);
            var arrived = face._emulator.Now;
            while (await _reader.ReadLineAsync(stop).ConfigureAwait(false) is { } line && line != ".")
            {
                // The message itself plays no part: SES counts the envelope's recipients.
            }

            var identity = new SigV4Request(_account ?? string.Empty, face._emulator.Options.SmtpRegion, null);
            var outcome = face._emulator.Decide(arrived, "smtp", "SendRawEmail", null, identity, [.. _recipients], spendsQuota: true);
            _mailFrom = false;
            _recipients.Clear();
            switch (outcome)
            {
                case EmulatorOutcome.Accepted:
                    _accepted++;
                    await ReplyAsync($"250 Ok {Guid.NewGuid():N}-000000").ConfigureAwait(false);
                    break;
                case EmulatorOutcome.Throttled:
                    await ReplyAsync("454 Throttling failure: Maximum sending rate exceeded.").ConfigureAwait(false);
                    break;
                case EmulatorOutcome.DailyQuotaExceeded:
                    await ReplyAsync("454 Throttling failure: Daily message quota exceeded.").ConfigureAwait(false);
                    break;
                case EmulatorOutcome.Rejected:
                    await ReplyAsync("554 Message rejected: Email address is not verified.").ConfigureAwait(false);
                    break;
                case EmulatorOutcome.ServerError:
                    await ReplyAsync("451 Local processing error").ConfigureAwait(false);
                    break;
                case EmulatorOutcome.Stalled:
                    await Task.Delay(face._emulator.Options.StallDuration, stop).ConfigureAwait(false);
                    await ReplyAsync($"250 Ok {Guid.NewGuid():N}-000000").ConfigureAwait(false);
                    break;
                default:
                    throw new IOException("The emulator drops the connection after processing the message.");
            }
        }

        private async Task ReplyAsync(params string[] lines)
        {
            foreach (var line in lines)
            {
                await _writer.WriteLineAsync(line).ConfigureAwait(false);
            }
        }
    }
}
