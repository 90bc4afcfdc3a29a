using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using ThrottleKit.Testing;

namespace ThrottleKit.MailKit.Tests;

/// <summary>What real MailKit raises against an SMTP server that answers as SES does (the emulator's SMTP face), classified.</summary>
public class SmtpClassifierTests
{
    [Fact]
    public async Task A_454_send_rate_throttle_is_retriable_and_leaves_the_connection_usable()
    {
        await using var ses = await SesEmulator.StartAsync(new SesEmulatorOptions { Smtp = true, RatePerSecond = 0.001, Burst = 1 });
        using var client = await ConnectAsync(ses);
        await client.SendAsync(Message("a@example.com"));

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Message("b@example.com")));

        Assert.Equal(454, (int)error.StatusCode);
        Assert.Equal("TemporaryAuthenticationFailure", error.StatusCode.ToString()); // MailKit's name for 454: the number decides
        Assert.Equal(ThrottlingClassification.Retriable, SesSmtpThrottlingClassifier.Instance.Classify(error));
        Assert.True(client.IsConnected);
        ses.ChangeQuota(1000, 1000);
        ses.AdvanceClock(TimeSpan.FromSeconds(1));
        await client.SendAsync(Message("b@example.com"));
    }

    [Fact]
    public async Task A_454_daily_quota_is_terminal()
    {
        await using var ses = await SesEmulator.StartAsync(new SesEmulatorOptions { Smtp = true, DailyQuota = 0 });
        using var client = await ConnectAsync(ses);

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Message("a@example.com")));

        Assert.Equal(454, (int)error.StatusCode);
        Assert.Contains("Daily message quota exceeded", error.Message, StringComparison.Ordinal);
        Assert.Equal(ThrottlingClassification.Terminal, SesSmtpThrottlingClassifier.Instance.Classify(error));
    }

    [Fact]
    public async Task A_rejected_message_and_a_dropped_connection_are_not_throttles()
    {
        var options = new SesEmulatorOptions { Smtp = true };
        options.RejectedAddresses.Add("nobody@example.com");
        await using var ses = await SesEmulator.StartAsync(options);
        using var client = await ConnectAsync(ses);
        var rejected = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Message("nobody@example.com")));

        await using var dropping = await SesEmulator.StartAsync(new SesEmulatorOptions { Smtp = true, Faults = EmulatorFaults.Reset, FaultRate = 1 });
        using var other = await ConnectAsync(dropping);
        var dropped = await Assert.ThrowsAnyAsync<Exception>(() => other.SendAsync(Message("a@example.com")));

        Assert.Equal(554, (int)rejected.StatusCode);
        Assert.True(dropped is IOException or ServiceNotConnectedException or SmtpProtocolException, dropped.GetType().Name);
        Assert.Equal(ThrottlingClassification.Unknown, SesSmtpThrottlingClassifier.Instance.Classify(rejected));
        Assert.Equal(ThrottlingClassification.Unknown, SesSmtpThrottlingClassifier.Instance.Classify(dropped));
    }

    [Fact]
    public void Replies_are_told_apart_by_number_and_words()
    {
        SmtpCommandException Reply(int status, string text) => new(SmtpErrorCode.MessageNotAccepted, (SmtpStatusCode)status, text);

        Assert.Equal(ThrottlingClassification.Retriable, SesSmtpThrottlingClassifier.Instance.Classify(Reply(454, "Throttling failure: Maximum sending rate exceeded.")));
        Assert.Equal(ThrottlingClassification.Terminal, SesSmtpThrottlingClassifier.Instance.Classify(Reply(454, "Throttling failure: Daily message quota exceeded.")));
        Assert.Equal(ThrottlingClassification.Terminal, SesSmtpThrottlingClassifier.Instance.Classify(Reply(454, "throttling failure: daily sending quota exceeded")));
        Assert.Equal(ThrottlingClassification.Unknown, SesSmtpThrottlingClassifier.Instance.Classify(Reply(454, "Temporary authentication failure")));
        Assert.Equal(ThrottlingClassification.Unknown, SesSmtpThrottlingClassifier.Instance.Classify(Reply(451, "Local processing error")));
        Assert.Equal(ThrottlingClassification.Unknown, SesSmtpThrottlingClassifier.Instance.Classify(new TimeoutException()));
        Assert.Throws<ArgumentNullException>(() => SesSmtpThrottlingClassifier.Instance.Classify(null!));
    }

    internal static MimeMessage Message(params string[] to)
    {
        var message = new MimeMessage { Subject = "Hello" };
        message.From.Add(MailboxAddress.Parse("sender@example.com"));
        message.To.AddRange(to.Select(MailboxAddress.Parse));
        message.Body = new TextPart("plain") { Text = "Hi." };
        return message;
    }

    internal static async Task<SmtpClient> ConnectAsync(SesEmulator ses)
    {
        var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", ses.SmtpPort!.Value, SecureSocketOptions.None);
        await client.AuthenticateAsync("AKIDSMTP", "secret");
        return client;
    }
}
