using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.SecurityToken;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using ThrottleKit.Aws.Tests.SimpleEmail.Ses;

namespace ThrottleKit.Aws.Tests.SimpleEmail;

/// <summary>
/// A raw message that names no destinations is counted as SES counts it: the addresses of its To, Cc and Bcc headers,
/// group members each, each address once; destinations, when given, win. Built with MimeKit, as an app builds one.
/// </summary>
public class RawMessageCostTests
{
    [Fact]
    public async Task A_raw_message_to_50_header_recipients_spends_50_permits()
    {
        var raw = new SendRawEmailRequest { RawMessage = new RawMessage { Data = Mime(Message(to: 20, cc: 10, groupMembers: 5, bcc: 15)) } };
        using var provider = new ServiceCollection()
            .AddSingleton<TimeProvider>(new FakeTimeProvider())
            .AddThrottledAwsClients(o => o.Services[AwsServiceKeys.SimpleEmail].RateLimit = new() { PermitsPerSecond = 1, Burst = 60, JitterAllowance = TimeSpan.Zero, StartEmpty = false })
            .MapServiceId("STS", AwsServiceKeys.SimpleEmail)
            .Services.BuildServiceProvider();
        var throttle = provider.GetRequiredService<ThrottledAwsServices>().FindByServiceId("STS")!;
        var request = new RequestContext(false)
        {
            ClientConfig = new AmazonSecurityTokenServiceConfig { AuthenticationRegion = "us-east-1" },
            OriginalRequest = raw,
            Identity = new BasicAWSCredentials("AKIDRAW", "secret"),
        };
        var position = raw.RawMessage.Data!.Position;

        var (bucket, cost) = throttle.Route(request);
        using var lease = await bucket.Limiter.AcquireAsync(cost);

        Assert.Equal(50, cost);
        Assert.Equal(60 - 50, provider.GetRequiredService<AwsThrottlingState>().GetBuckets().Single().AvailablePermits);
        Assert.Equal(position, raw.RawMessage.Data.Position);
    }

    [Fact]
    public void A_raw_message_to_51_recipients_is_refused_before_it_is_sent_as_SES_would()
    {
        using var provider = new ServiceCollection().AddThrottledAwsClients().MapServiceId("STS", AwsServiceKeys.SimpleEmail).Services.BuildServiceProvider();
        var throttle = provider.GetRequiredService<ThrottledAwsServices>().FindByServiceId("STS")!;

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => throttle.Route(new RequestContext(false)
        {
            ClientConfig = new AmazonSecurityTokenServiceConfig { AuthenticationRegion = "us-east-1" },
            OriginalRequest = new SendRawEmailRequest { RawMessage = new RawMessage { Data = Mime(Message(to: 51, cc: 0, groupMembers: 0, bcc: 0)) } },
        }));

        Assert.Contains("51 permits", error.Message, StringComparison.Ordinal);
        Assert.Contains("50 recipients", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Destinations_win_over_the_headers_and_duplicates_and_groups_count_as_SES_counts_them()
    {
        var message = Message(to: 3, cc: 0, groupMembers: 4, bcc: 0);
        message.Cc.Add(new MailboxAddress("again", "to0@example.com"));   // already in To: counted once
        message.Bcc.Add(new MailboxAddress("TO1", "TO1@EXAMPLE.COM"));     // addresses compare without case

        Assert.Equal(7, SimpleEmailRecipientCounter.Count(new SendRawEmailRequest { RawMessage = new RawMessage { Data = Mime(message) } }));
        Assert.Equal(2, SimpleEmailRecipientCounter.Count(new SendRawEmailRequest { Destinations = ["a@example.com", "b@example.com"], RawMessage = new RawMessage { Data = Mime(message) } }));
        Assert.Equal(7, SimpleEmailRecipientCounter.Count(new SesV2.SendEmailRequest { Content = new SesV2.EmailContent { Raw = new RawMessage { Data = Mime(message) } } }));
        Assert.Equal(1, SimpleEmailRecipientCounter.Count(new SendRawEmailRequest { RawMessage = new RawMessage { Data = new MemoryStream("not a message"u8.ToArray()) } }));
    }

    [Fact]
    public void Only_the_headers_are_read_a_large_body_is_not()
    {
        var message = Message(to: 2, cc: 0, groupMembers: 0, bcc: 0);
        message.Body = new TextPart("plain") { Text = new string('x', 5_000_000) };
        var data = Mime(message);
        var reader = new CountingStream(data);

        Assert.Equal(1, SimpleEmailRecipientCounter.Count(new SendRawEmailRequest { RawMessage = new RawMessage { Data = null } }));
        Assert.Equal(2, RawMessageRecipients.Count(reader));
        Assert.True(reader.BytesRead < 64 * 1024, $"{reader.BytesRead} bytes read of {data.Length}.");
        Assert.Equal(0, data.Position);
    }

    private static MimeMessage Message(int to, int cc, int groupMembers, int bcc)
    {
        var message = new MimeMessage { Subject = "Hello" };
        message.From.Add(new MailboxAddress("Sender", "sender@example.com"));
        message.To.AddRange(Enumerable.Range(0, to).Select(i => new MailboxAddress($"To {i}", $"to{i}@example.com")));
        message.Cc.AddRange(Enumerable.Range(0, cc).Select(i => new MailboxAddress($"Cc {i}", $"cc{i}@example.com")));
        if (groupMembers > 0)
        {
            message.Cc.Add(new GroupAddress("Team", Enumerable.Range(0, groupMembers).Select(i => new MailboxAddress($"Member {i}", $"member{i}@example.com"))));
        }

        message.Bcc.AddRange(Enumerable.Range(0, bcc).Select(i => new MailboxAddress($"Bcc {i}", $"bcc{i}@example.com")));
        message.Body = new TextPart("plain") { Text = "Hi." };
        return message;
    }

    private static MemoryStream Mime(MimeMessage message)
    {
        var data = new MemoryStream();
        message.WriteTo(data);
        data.Position = 0;
        return data;
    }

    /// <summary>A stream that counts what is read from it.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => inner.Position = value; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            BytesRead += read;
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
