// ThrottleKit demo: the same email workload sent five ways against a local service with an Amazon SES-like quota of
// 14 recipients per second: over SES's HTTP API with the AWS SDK's Standard retry, its Adaptive retry, and with
// AddThrottledAwsClients(); over SMTP with MailKit alone, and with MailKit through ThrottleKit.
//
// No AWS account is needed. The service is ThrottleKit's emulator (the ThrottleKit.Testing package), which answers as SES
// does over its HTTP API (the awsQuery protocol) and over SMTP. The HTTP client is the AWS SDK's STS client, because it
// speaks that same protocol and is served where this was built (AWSSDK.SimpleEmail is not); each STS AssumeRole call stands
// for one SendEmail, and its session tags for the message's recipients. With a real SES client, only the client type changes.
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Amazon;
using Amazon.Extensions.NETCore.Setup;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Spectre.Console;
using ThrottleKit;
using ThrottleKit.Aws;
using ThrottleKit.MailKit;
using ThrottleKit.Testing;

const double Quota = 14;
const int Messages = 60;
const int Workers = 32;
const int SmtpConnections = 4;

// Redirected output (a CI log, a file) gets plain text: no colours, no live redrawing.
var console = Console.IsOutputRedirected
    ? AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No })
    : AnsiConsole.Console;
if (Console.IsOutputRedirected)
{
    console.Profile.Width = 120;
}

var random = new Random(2026);
var workload = Enumerable.Range(0, Messages).Select(i => new Email(i, random.Next(1, 4))).ToArray();

console.MarkupLine($"[bold]ThrottleKit demo[/]: {Messages} emails ({workload.Sum(m => m.Recipients)} recipients) against an SES-like quota of {Quota} recipients/s.");
console.WriteLine();

var results = new List<RunResult>
{
    await RunAsync("SDK, Standard retry", (emulator, cancel) => SendOverHttpAsync(emulator, RequestRetryMode.Standard, throttled: false, cancel)),
    await RunAsync("SDK, Adaptive retry", (emulator, cancel) => SendOverHttpAsync(emulator, RequestRetryMode.Adaptive, throttled: false, cancel)),
    await RunAsync("SDK + ThrottleKit", (emulator, cancel) => SendOverHttpAsync(emulator, RequestRetryMode.Standard, throttled: true, cancel)),
    await RunAsync("MailKit (SMTP)", (emulator, cancel) => SendOverSmtpAsync(emulator, throttled: false, cancel)),
    await RunAsync("MailKit + ThrottleKit", (emulator, cancel) => SendOverSmtpAsync(emulator, throttled: true, cancel)),
};

var table = new Table().Border(Console.IsOutputRedirected ? TableBorder.Ascii : TableBorder.Rounded)
    .AddColumn("").AddColumns(results.Select(r => new TableColumn($"[bold]{r.Name}[/]").RightAligned()).ToArray());
table.AddRow(["Delivered emails", .. results.Select(r => $"{r.Delivered} / {Messages}")]);
table.AddRow(["Failed emails", .. results.Select(r => r.Failed == 0 ? "[green]0[/]" : $"[red]{r.Failed}[/]")]);
table.AddRow(["Throttled attempts", .. results.Select(r => r.ThrottledAttempts.ToString(CultureInfo.InvariantCulture))]);
table.AddRow(["Attempts", .. results.Select(r => r.Attempts.ToString(CultureInfo.InvariantCulture))]);
table.AddRow(["Duration", .. results.Select(r => $"{r.Duration.TotalSeconds:0.0} s")]);
table.AddRow([$"Recipients/s delivered (quota {Quota}/s)", .. results.Select(r => $"{r.RecipientsPerSecond:0.0}")]);
console.Write(table);
return results.Where(r => r.Name.Contains("ThrottleKit", StringComparison.Ordinal)).All(r => r.Failed == 0) ? 0 : 1;

async Task<RunResult> RunAsync(string name, Func<SesEmulator, Action<bool>, Task> send)
{
    await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { RatePerSecond = Quota, Burst = Quota, Smtp = true });
    var delivered = 0;
    var failed = 0;
    var clock = Stopwatch.StartNew();
    var all = send(emulator, ok => Interlocked.Increment(ref ok ? ref delivered : ref failed));

    if (Console.IsOutputRedirected)
    {
        console.WriteLine($"{name} ...");
    }
    else
    {
        var progress = new Table().Border(TableBorder.Simple).Title($"[bold]{name}[/]")
            .AddColumns("Sent", "Failed", "Throttled attempts", "Recipients/s (last second)", "Elapsed");
        await console.Live(progress).StartAsync(async context =>
        {
            while (true)
            {
                var done = all.IsCompleted;
                var attempts = emulator.Attempts;
                var now = emulator.Elapsed;
                var lastSecond = attempts.Where(a => a.Outcome == EmulatorOutcome.Accepted && now - a.At <= TimeSpan.FromSeconds(1)).Sum(a => a.Cost);
                progress.Rows.Clear();
                progress.AddRow(
                    $"{Volatile.Read(ref delivered)} / {Messages}",
                    Volatile.Read(ref failed).ToString(CultureInfo.InvariantCulture),
                    attempts.Count(a => a.Outcome == EmulatorOutcome.Throttled).ToString(CultureInfo.InvariantCulture),
                    lastSecond.ToString(CultureInfo.InvariantCulture),
                    $"{clock.Elapsed.TotalSeconds:0.0} s");
                context.Refresh();
                if (done)
                {
                    break;
                }

                await Task.WhenAny(all, Task.Delay(250));
            }
        });
    }

    await all;
    clock.Stop();
    var finalAttempts = emulator.Attempts;
    var recipients = finalAttempts.Where(a => a.Outcome == EmulatorOutcome.Accepted).Sum(a => a.Cost);
    return new RunResult(name, delivered, failed, finalAttempts.Count(a => a.Outcome == EmulatorOutcome.Throttled), finalAttempts.Count, clock.Elapsed, recipients / clock.Elapsed.TotalSeconds);
}

async Task SendOverHttpAsync(SesEmulator emulator, RequestRetryMode retryMode, bool throttled, Action<bool> done)
{
    var services = new ServiceCollection();
    services.AddDefaultAWSOptions(new AWSOptions
    {
        Credentials = new BasicAWSCredentials("demo", "demo"),
        Region = RegionEndpoint.USEast1,
        DefaultClientConfig = { ServiceURL = emulator.Endpoint.ToString(), AuthenticationRegion = "us-east-1", IgnoreConfiguredEndpointUrls = true, RetryMode = retryMode },
    });
    services.AddAWSService<IAmazonSecurityTokenService>();
    if (throttled)
    {
        // A real SES app writes only: services.AddThrottledAwsClients();  (SES clients are found by their service id.)
        services.AddThrottledAwsClients(options => options.Services[AwsServiceKeys.SimpleEmail].RateLimit.PermitsPerSecond = Quota)
            .MapServiceId("STS", AwsServiceKeys.SimpleEmail)
            .UseRules(AwsServiceKeys.SimpleEmail, new AwsThrottlingRules(
                new SimpleEmailThrottlingClassifier(),
                cost: request => request is AssumeRoleRequest { Tags.Count: > 0 } send ? send.Tags.Count : 1));
    }

    await using var provider = services.BuildServiceProvider();
    var client = provider.GetRequiredService<IAmazonSecurityTokenService>();
    var queue = new ConcurrentQueue<Email>(workload);
    await Task.WhenAll(Enumerable.Range(0, Workers).Select(async _ =>
    {
        while (queue.TryDequeue(out var email))
        {
            try
            {
                await client.AssumeRoleAsync(email.ToRequest());
                done(true);
            }
            catch (Exception refused) when (refused is AmazonServiceException or AmazonClientException)
            {
                // A throttle the SDK gave up on; its Adaptive mode also gives up for want of retry capacity.
                done(false);
            }
        }
    }));
}

async Task SendOverSmtpAsync(SesEmulator emulator, bool throttled, Action<bool> done)
{
    static async Task Connect(ISmtpClient client, SesEmulator emulator, CancellationToken cancellationToken)
    {
        await client.ConnectAsync("127.0.0.1", emulator.SmtpPort!.Value, SecureSocketOptions.None, cancellationToken);
        await client.AuthenticateAsync("demo", "demo", cancellationToken);
    }

    // One quota for every connection: one executor, with SES's SMTP throttle as its classifier.
    var executor = new ThrottledExecutor(new ThrottlingStrategyOptions
    {
        RateLimiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = Quota, Burst = (int)Quota, JitterAllowance = TimeSpan.FromMilliseconds(25), StartEmpty = true }),
        Classifier = SesSmtpThrottlingClassifier.Instance,
    });
    var queue = new ConcurrentQueue<Email>(workload);
    await Task.WhenAll(Enumerable.Range(0, SmtpConnections).Select(async _ =>
    {
        using var client = new SmtpClient();
        var sender = new ThrottledSmtpSender(client, executor, (c, ct) => Connect(c, emulator, ct));
        if (!throttled)
        {
            await Connect(client, emulator, CancellationToken.None);
        }

        while (queue.TryDequeue(out var email))
        {
            try
            {
                await (throttled ? sender.SendAsync(email.ToMessage()) : client.SendAsync(email.ToMessage()));
                done(true);
            }
            catch (SmtpCommandException)
            {
                done(false);
            }
        }

        await client.DisconnectAsync(quit: true);
    }));
}

internal sealed record Email(int Id, int Recipients)
{
    public AssumeRoleRequest ToRequest() => new()
    {
        RoleArn = "arn:aws:iam::123456789012:role/demo-sender",
        RoleSessionName = string.Create(CultureInfo.InvariantCulture, $"email-{Id}"),
        Tags = [.. Enumerable.Range(0, Recipients).Select(r => new Tag { Key = string.Create(CultureInfo.InvariantCulture, $"to{r}"), Value = string.Create(CultureInfo.InvariantCulture, $"user{r}@example.com") })],
    };

    public MimeMessage ToMessage()
    {
        var message = new MimeMessage { Subject = string.Create(CultureInfo.InvariantCulture, $"Email {Id}") };
        message.From.Add(MailboxAddress.Parse("sender@example.com"));
        message.To.AddRange(Enumerable.Range(0, Recipients).Select(r => MailboxAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"user{r}.{Id}@example.com"))));
        message.Body = new TextPart("plain") { Text = "Hello." };
        return message;
    }
}

internal sealed record RunResult(string Name, int Delivered, int Failed, int ThrottledAttempts, int Attempts, TimeSpan Duration, double RecipientsPerSecond);
