using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using ThrottleKit.Testing;
using static ThrottleKit.MailKit.Tests.SmtpClassifierTests;

namespace ThrottleKit.MailKit.Tests;

/// <summary>Real MailKit through <see cref="ThrottledSmtpSender"/> against the emulator's SMTP face, which answers as SES does.</summary>
public class ThrottledSmtpSenderTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    [Trait("Category", RealClock.Category)]
    public async Task At_the_quota_100_messages_all_go_with_at_most_1_percent_throttled_where_MailKit_alone_is_refused()
    {
        const double Quota = 25;
        await using var ses = await SesEmulator.StartAsync(new SesEmulatorOptions { Smtp = true, RatePerSecond = Quota, Burst = Quota });
        var executor = new ThrottledExecutor(new ThrottlingStrategyOptions
        {
            RateLimiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = Quota, Burst = (int)Quota, JitterAllowance = TimeSpan.FromMilliseconds(25) }),
            Classifier = SesSmtpThrottlingClassifier.Instance,
        });

        // Four connections, one sender each, one executor: one quota.
        var clients = Enumerable.Range(0, 4).Select(_ => new SmtpClient()).ToArray();
        var senders = clients.Select(c => new ThrottledSmtpSender(c, executor, (client, ct) => Connect(client, ses, ct))).ToArray();
        var sent = 0;
        await Task.WhenAll(senders.Select(async (sender, i) =>
        {
            for (var k = i; k < 100; k += senders.Length)
            {
                await sender.SendAsync(Message($"r{k}@example.com"));
                Interlocked.Increment(ref sent);
            }
        }));
        var throughThrottleKit = ses.Attempts.ToArray();

        // MailKit alone, as fast as one connection goes, on a fresh quota.
        await using var alone = await SesEmulator.StartAsync(new SesEmulatorOptions { Smtp = true, RatePerSecond = Quota, Burst = Quota });
        using var plain = new SmtpClient();
        await Connect(plain, alone, CancellationToken.None);
        var refused = 0;
        for (var k = 0; k < 100; k++)
        {
            try
            {
                await plain.SendAsync(Message($"r{k}@example.com"));
            }
            catch (SmtpCommandException answer) when ((int)answer.StatusCode == 454)
            {
                refused++;
            }
        }

        // At most 1 % throttled, widened only by what senders stalled past half the jitter allowance owed (docs/testing.md).
        var throttled = throughThrottleKit.Count(a => a.Outcome == EmulatorOutcome.Throttled);
        var excess = ses.ExcessLag(RealClock.StallThreshold(TimeSpan.FromMilliseconds(25)));
        var bound = 1 + (Quota * excess.TotalSeconds);
        var evidence = $"ThrottleKit: {sent}/100 sent, {throttled} throttled answers of {throughThrottleKit.Length} (bound {bound:0.#}, excess lag {excess.TotalMilliseconds:0} ms); MailKit alone: {100 - refused}/100 sent, {refused} refused. {ses.Describe()}";
        output.WriteLine(evidence);
        Assert.Equal(100, sent);
        Assert.Equal(100, throughThrottleKit.Count(a => a.Outcome == EmulatorOutcome.Accepted));
        Assert.True(throttled <= bound, evidence);
        Assert.True(refused > 0, evidence);
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    [Fact]
    [Trait("Category", RealClock.Category)]
    public async Task Sends_that_wait_for_a_slow_connect_take_their_permits_after_it_and_are_never_throttled()
    {
        // A connect of 1.5 s (TLS and AUTH to a distant endpoint): permits taken while it ran would all leave when it
        // completes, 14 + 1.5 · 14 of them within moments, where SES's bucket holds 14 and refills 14 a second.
        const double Quota = 14;
        var connect = TimeSpan.FromMilliseconds(1500);
        await using var ses = await SesEmulator.StartAsync(new SesEmulatorOptions { Smtp = true, RatePerSecond = Quota, Burst = Quota });
        var executor = new ThrottledExecutor(new ThrottlingStrategyOptions
        {
            RateLimiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = Quota, Burst = (int)Quota, JitterAllowance = TimeSpan.FromMilliseconds(25) }),
            Classifier = SesSmtpThrottlingClassifier.Instance,
        });
        var clients = Enumerable.Range(0, 2).Select(_ => new SmtpClient()).ToArray();
        var senders = clients.Select(c => new ThrottledSmtpSender(c, executor, async (client, ct) =>
        {
            await Task.Delay(connect, ct);
            await Connect(client, ses, ct);
        })).ToArray();

        // Ten callers per connection at once, forty messages in all.
        await Task.WhenAll(Enumerable.Range(0, 40).Select(k => senders[k % senders.Length].SendAsync(Message($"r{k}@example.com"))));

        var attempts = ses.Attempts.ToArray();
        var throttled = attempts.Count(a => a.Outcome == EmulatorOutcome.Throttled);
        var busiest = ses.BusiestWindowOfAttempts(TimeSpan.FromSeconds(1));
        var allowance = RealClock.LateTimestampAllowance(ses.SchedulingLag());
        var bound = RealClock.WindowBound(Quota, Quota, TimeSpan.FromSeconds(1), allowance);
        var excess = ses.ExcessLag(RealClock.StallThreshold(TimeSpan.FromMilliseconds(25)));
        var evidence = $"{throttled} throttled of {attempts.Length}; busiest second {busiest.Count} (bound {bound:0.#}); excess lag {excess.TotalMilliseconds:0} ms. {ses.Describe()}";
        output.WriteLine(evidence);
        Assert.Equal(40, attempts.Count(a => a.Outcome == EmulatorOutcome.Accepted));
        Assert.True(throttled <= RealClock.ThrottleBound(Quota, excess) - 2, evidence);
        Assert.True(busiest.Count <= bound, evidence);
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    [Fact]
    public async Task A_message_costs_a_permit_per_recipient_of_its_headers_or_of_its_envelope()
    {
        await using var ses = await SesEmulator.StartAsync(new SesEmulatorOptions { Smtp = true });
        var limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 1e-6, Burst = 10 }, new FakeTimeProvider());
        var executor = new ThrottledExecutor(new ThrottlingStrategyOptions { RateLimiter = limiter, Classifier = SesSmtpThrottlingClassifier.Instance });
        using var client = new SmtpClient();
        var sender = new ThrottledSmtpSender(client, executor, (c, ct) => Connect(c, ses, ct));
        var message = Message("a@example.com", "b@example.com", "c@example.com");
        message.Cc.Add(MailboxAddress.Parse("d@example.com"));
        message.Bcc.Add(MailboxAddress.Parse("A@EXAMPLE.COM")); // already a recipient

        await sender.SendAsync(message);
        Assert.Equal(10 - 4, limiter.AvailablePermits);

        await sender.SendAsync(message, MailboxAddress.Parse("bounce@example.com"), [MailboxAddress.Parse("x@example.com"), MailboxAddress.Parse("y@example.com")]);
        Assert.Equal(10 - 4 - 2, limiter.AvailablePermits);
        Assert.Equal([4, 2], ses.Attempts.Select(a => a.Cost));
    }

    [Fact]
    public async Task A_throttle_is_retried_on_the_same_connection_and_a_dropped_one_is_opened_again()
    {
        var time = new FakeTimeProvider();
        await using var ses = await SesEmulator.StartAsync(new SesEmulatorOptions { Smtp = true, RatePerSecond = 0.001, Burst = 1 });
        var executor = new ThrottledExecutor(
            new ThrottlingStrategyOptions
            {
                RateLimiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 1000, Burst = 1000 }, time),
                Classifier = SesSmtpThrottlingClassifier.Instance,
                Backoff = new ExponentialBackoffOptions { MinDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(1) },
            },
            time);
        using var client = new SmtpClient();
        var connects = 0;
        var sender = new ThrottledSmtpSender(client, executor, (c, ct) =>
        {
            Interlocked.Increment(ref connects);
            return Connect(c, ses, ct);
        });
        await sender.SendAsync(Message("a@example.com"));

        var second = sender.SendAsync(Message("b@example.com"));
        await WaitUntil(() => ses.Attempts.Count == 2);
        ses.ChangeQuota(1000, 1000);
        ses.AdvanceClock(TimeSpan.FromSeconds(1));
        await WaitUntil(() => { time.Advance(TimeSpan.FromMilliseconds(100)); return second.IsCompleted; });
        await second;
        Assert.Equal(1, connects);

        await client.DisconnectAsync(quit: false);
        await sender.SendAsync(Message("c@example.com"));

        Assert.Equal(2, connects);
        Assert.Equal([EmulatorOutcome.Accepted, EmulatorOutcome.Throttled, EmulatorOutcome.Accepted, EmulatorOutcome.Accepted], ses.Attempts.Select(a => a.Outcome));
    }

    [Fact]
    public async Task A_connection_dropped_after_the_message_went_in_is_not_sent_again()
    {
        await using var ses = await SesEmulator.StartAsync(new SesEmulatorOptions { Smtp = true, Faults = EmulatorFaults.Reset, FaultRate = 1 });
        var executor = new ThrottledExecutor(new ThrottlingStrategyOptions
        {
            RateLimiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 1000 }),
            Classifier = SesSmtpThrottlingClassifier.Instance,
        });
        using var client = new SmtpClient();
        var sender = new ThrottledSmtpSender(client, executor, (c, ct) => Connect(c, ses, ct));

        await Assert.ThrowsAnyAsync<Exception>(() => sender.SendAsync(Message("a@example.com")));

        Assert.Single(ses.Attempts);
    }

    private static async Task Connect(ISmtpClient client, SesEmulator ses, CancellationToken cancellationToken)
    {
        await client.ConnectAsync("127.0.0.1", ses.SmtpPort!.Value, SecureSocketOptions.None, cancellationToken);
        await client.AuthenticateAsync("AKIDSMTP", "secret", cancellationToken);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "The condition never held.");
            await Task.Delay(10);
        }
    }
}
