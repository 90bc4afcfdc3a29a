using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailKit.Net.Smtp;
using MailKit.Security;
using ThrottleKit.Testing;
using static ThrottleKit.MailKit.Tests.SmtpClassifierTests;

namespace ThrottleKit.MailKit.Tests;

/// <summary>The edges of an SMTP session with SES: how many recipients a message may have, and a server that ends the session.</summary>
public class SmtpSessionTests
{
    [Fact]
    public async Task A_message_of_51_recipients_is_refused_before_anything_is_sent_or_spent()
    {
        await using var ses = await SesEmulator.StartAsync(new SesEmulatorOptions { Smtp = true, RatePerSecond = 14, Burst = 14 });
        using var limiter = Limiter();
        using var client = new SmtpClient();
        var sender = new ThrottledSmtpSender(client, Executor(limiter), (c, ct) => Connect(c, ses, ct));

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => sender.SendAsync(Message(Recipients(51))));

        Assert.Contains("51 recipients", refused.Message, StringComparison.Ordinal);
        Assert.Contains("MaxRecipients (50)", refused.Message, StringComparison.Ordinal);
        Assert.Empty(ses.Attempts);
        Assert.False(client.IsConnected);
        Assert.Equal(14, limiter.GetStatistics()!.CurrentAvailablePermits);
    }

    [Fact]
    public async Task A_message_of_50_recipients_goes_through_a_limiter_whose_burst_is_14_when_it_may_borrow()
    {
        await using var ses = await SesEmulator.StartAsync(new SesEmulatorOptions { Smtp = true, RatePerSecond = 50, Burst = 50 });
        using var limiter = Limiter();
        using var client = new SmtpClient();
        var sender = new ThrottledSmtpSender(client, Executor(limiter), (c, ct) => Connect(c, ses, ct));

        await sender.SendAsync(Message(Recipients(50)));

        var attempt = Assert.Single(ses.Attempts);
        Assert.Equal((EmulatorOutcome.Accepted, 50), (attempt.Outcome, attempt.Cost));
    }

    [Fact]
    public async Task When_the_server_ends_each_session_after_3_messages_the_sender_reconnects_and_all_10_go_once()
    {
        await using var ses = await SesEmulator.StartAsync(new SesEmulatorOptions { Smtp = true, RatePerSecond = 1000, Burst = 1000, SmtpMessagesPerSession = 3 });
        using var limiter = Limiter();
        using var client = new SmtpClient();
        var connects = 0;
        var sender = new ThrottledSmtpSender(client, Executor(limiter), (c, ct) =>
        {
            Interlocked.Increment(ref connects);
            return Connect(c, ses, ct);
        });

        for (var k = 0; k < 10; k++)
        {
            await sender.SendAsync(Message($"r{k}@example.com"));
        }

        Assert.Equal(10, ses.Attempts.Count(a => a.Outcome == EmulatorOutcome.Accepted));
        Assert.Equal(10, ses.Attempts.Count);
        Assert.Equal(4, connects);
    }

    [Fact]
    public async Task On_one_connection_a_message_sent_at_High_priority_goes_before_the_Low_ones_queued_ahead_of_it()
    {
        await using var ses = await SesEmulator.StartAsync(new SesEmulatorOptions { Smtp = true, RatePerSecond = 100, Burst = 100 });
        using var limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 5, Burst = 1, AllowBorrowing = true });
        using var client = new SmtpClient();
        var sender = new ThrottledSmtpSender(client, Executor(limiter), (c, ct) => Connect(c, ses, ct));

        // The first bulk message takes the connection; three more queue for it, then the urgent one (two recipients, so
        // that the emulator's log tells it apart).
        Task Send(ThrottlePriority priority, params string[] to)
        {
            using (PriorityScope.Enter(new RequestPriority(priority)))
            {
                return sender.SendAsync(Message(to));
            }
        }

        var bulk = Enumerable.Range(0, 4).Select(i => Send(ThrottlePriority.Low, $"bulk{i}@example.com")).ToArray();
        var urgent = Send(ThrottlePriority.High, "reset@example.com", "copy@example.com");
        await Task.WhenAll([.. bulk, urgent]).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal([1, 2, 1, 1, 1], ses.Attempts.Select(a => a.Cost));
    }

    private static GcraRateLimiter Limiter() => new(new GcraRateLimiterOptions { PermitsPerSecond = 14, Burst = 14, AllowBorrowing = true });

    private static ThrottledExecutor Executor(GcraRateLimiter limiter) => new(new ThrottlingStrategyOptions { RateLimiter = limiter, Classifier = SesSmtpThrottlingClassifier.Instance });

    private static string[] Recipients(int count) => [.. Enumerable.Range(0, count).Select(i => $"r{i}@example.com")];

    private static async Task Connect(ISmtpClient client, SesEmulator ses, CancellationToken cancellationToken)
    {
        await client.ConnectAsync("127.0.0.1", ses.SmtpPort!.Value, SecureSocketOptions.None, cancellationToken);
        await client.AuthenticateAsync("AKIDSMTP", "secret", cancellationToken);
    }
}
