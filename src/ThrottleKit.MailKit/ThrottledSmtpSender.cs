using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailKit.Net.Smtp;
using MimeKit;
using ThrottleKit.Internal;

namespace ThrottleKit.MailKit;

/// <summary>
/// Sends through one MailKit <see cref="ISmtpClient"/> connection under a ThrottleKit executor: each message takes one permit
/// per recipient (SES counts recipients, not messages), a throttle is retried on the same connection, and nothing the
/// server may have taken is ever sent again.
/// </summary>
/// <remarks>
/// <para>
/// Give it an executor whose classifier knows SMTP throttles — <see cref="SesSmtpThrottlingClassifier"/> for SES — so that
/// a 454 "Maximum sending rate exceeded" is retried after the backoff, and everything else surfaces after one attempt.
/// </para>
/// <para>
/// The connection is opened (through <c>connect</c>) only when it is not open: at the first send, and after the connection
/// really dropped — never after a throttle, which leaves an SES connection open and usable. A message takes its permits
/// once the connection is ready, so sends that waited for a slow connect do not leave bunched. One connection sends one
/// message at a time, so calls from several tasks take turns (the sender is safe to share between threads), by the
/// <see cref="ThrottlePriority"/> of the <see cref="PriorityScope"/> each was made in, then in order; for more throughput
/// use more connections, each with its sender, sharing one executor (one quota).
/// </para>
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "As MailKit's own SendAsync: the overloads differ in their required envelope parameters.")]
public sealed class ThrottledSmtpSender
{
    private readonly ISmtpClient _client;
    private readonly IThrottledExecutor _executor;
    private readonly Func<ISmtpClient, CancellationToken, Task> _connect;
    private readonly SmtpTurn _turn = new();
    private int _maxRecipients = SesMaxRecipients;

    /// <summary>Creates a sender over one connection.</summary>
    /// <param name="client">The connection; the sender opens it when needed, and neither closes nor disposes it.</param>
    /// <param name="executor">The executor whose limiter and backoff the sends go through (one permit per recipient).</param>
    /// <param name="connect">Opens and authenticates the connection, e.g. <c>async (c, ct) => { await c.ConnectAsync(host, 587, SecureSocketOptions.StartTls, ct); await c.AuthenticateAsync(user, password, ct); }</c>.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public ThrottledSmtpSender(ISmtpClient client, IThrottledExecutor executor, Func<ISmtpClient, CancellationToken, Task> connect)
    {
        _client = Guard.NotNull(client);
        _executor = Guard.NotNull(executor);
        _connect = Guard.NotNull(connect);
    }

    /// <summary>The most recipients SES takes in one message.</summary>
    private const int SesMaxRecipients = 50;

    /// <summary>
    /// Gets or sets the most recipients a message may have; one with more is refused before anything is sent or spent, so a
    /// message the server would refuse never leaves the shared limiter in debt. Default 50, SES's limit. A message of more
    /// recipients than the limiter's burst needs <see cref="GcraRateLimiterOptions.AllowBorrowing"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
    public int MaxRecipients
    {
        get => _maxRecipients;
        set
        {
            Guard.InRange(value, 1, int.MaxValue);
            _maxRecipients = value;
        }
    }

    /// <summary>Sends <paramref name="message"/> to the recipients of its To, Cc and Bcc headers; one permit each.</summary>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Ends the wait for permits, a backoff, or the send.</param>
    /// <returns>The server's reply to the message (for SES, the message id).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The message has more recipients than <see cref="MaxRecipients"/>.</exception>
    /// <exception cref="SmtpCommandException">The server refused the message for good, or kept throttling it past the executor's retries.</exception>
    public Task<string> SendAsync(MimeMessage message, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(message);
        var recipients = Distinct(message.To.Mailboxes.Concat(message.Cc.Mailboxes).Concat(message.Bcc.Mailboxes));
        return SendAsync(recipients, (client, ct) => client.SendAsync(message, ct), cancellationToken);
    }

    /// <summary>Sends <paramref name="message"/> to an envelope of its own (RCPT TO), whatever its headers say; one permit per envelope recipient.</summary>
    /// <param name="message">The message.</param>
    /// <param name="sender">The envelope sender (MAIL FROM).</param>
    /// <param name="recipients">The envelope recipients (RCPT TO).</param>
    /// <param name="cancellationToken">Ends the wait for permits, a backoff, or the send.</param>
    /// <returns>The server's reply to the message (for SES, the message id).</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The envelope has more recipients than <see cref="MaxRecipients"/>.</exception>
    /// <exception cref="SmtpCommandException">The server refused the message for good, or kept throttling it past the executor's retries.</exception>
    public Task<string> SendAsync(MimeMessage message, MailboxAddress sender, IEnumerable<MailboxAddress> recipients, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(message);
        Guard.NotNull(sender);
        var envelope = Distinct(Guard.NotNull(recipients));
        return SendAsync(envelope, (client, ct) => client.SendAsync(message, sender, envelope, ct), cancellationToken);
    }

    private static List<MailboxAddress> Distinct(IEnumerable<MailboxAddress> mailboxes)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        return mailboxes.Where(m => seen.Add(m.Address)).ToList();
    }

    private async Task<string> SendAsync(List<MailboxAddress> recipients, Func<ISmtpClient, CancellationToken, Task<string>> send, CancellationToken cancellationToken)
    {
        if (recipients.Count > _maxRecipients)
        {
#pragma warning disable CA2208 // The recipients are the message's; "message" is the argument the caller passed.
            throw new ArgumentException($"The message has {recipients.Count} recipients, more than MaxRecipients ({_maxRecipients}); SES takes at most {SesMaxRecipients} per message. Nothing was sent. Split it into messages of at most {_maxRecipients} recipients.", "message");
#pragma warning restore CA2208
        }

        // One message at a time on the connection, and its permits taken only once the connection is ready to send: permits
        // taken during a slow connect (TLS, AUTH) would all leave when it completes, bunched past the service's own bucket.
        await _turn.WaitAsync((PriorityScope.Current ?? RequestPriority.Default).Priority, cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
            return await _executor.ExecuteAsync(
                async ct =>
                {
                    // A throttle leaves SES's connection open; one that dropped between attempts is opened again.
                    await EnsureConnectedAsync(ct).ConfigureAwait(false);
                    try
                    {
                        return await send(_client, ct).ConfigureAwait(false);
                    }
                    catch (SmtpCommandException ended) when (ended.StatusCode == SmtpStatusCode.ServiceNotAvailable)
                    {
                        // 421: the server ended the session without taking the message; the next attempt opens a new one.
                        await DropAsync().ConfigureAwait(false);
                        throw;
                    }
                },
                Math.Max(1, recipients.Count),
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _turn.Release();
        }
    }

    private async Task DropAsync()
    {
        try
        {
            await _client.DisconnectAsync(quit: false, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception closed) when (closed is System.IO.IOException or global::MailKit.ServiceNotConnectedException or ObjectDisposedException)
        {
            // Already closed by the server's side: nothing to release.
        }
    }

    private Task EnsureConnectedAsync(CancellationToken cancellationToken) => _client.IsConnected ? Task.CompletedTask : _connect(_client, cancellationToken);
}
