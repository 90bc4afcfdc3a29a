// ThrottleKit demo: the same email workload sent twice against a local service with an Amazon SES-like quota of
// 14 recipients per second, first with the AWS SDK's default retry only, then with AddThrottledAwsClients().
//
// No AWS account is needed. The service is ThrottleKit's emulator, which answers exactly as SES does over its HTTP
// API (the awsQuery protocol). The client is the AWS SDK's STS client, because it speaks that same protocol and is
// served where this was built (AWSSDK.SimpleEmail is not); each STS AssumeRole call stands for one SendEmail, and its
// session tags stand for the message's recipients. With a real SES client, only the client type changes.
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
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using ThrottleKit.Aws;
using ThrottleKit.Testing;

const double Quota = 14;
const int Messages = 150;
const int Workers = 32;

var random = new Random(2026);
var workload = Enumerable.Range(0, Messages).Select(i => new Email(i, random.Next(1, 4))).ToArray();

AnsiConsole.MarkupLine($"[bold]ThrottleKit demo[/]: {Messages} emails ({workload.Sum(m => m.Recipients)} recipients) from {Workers} workers, against an SES-like quota of {Quota} recipients/s.");
AnsiConsole.WriteLine();

var results = new List<RunResult>
{
    await RunAsync("AWS SDK default retry", throttled: false),
    await RunAsync("ThrottleKit", throttled: true),
};

var table = new Table().Border(TableBorder.Rounded).AddColumn("").AddColumns(results.Select(r => new TableColumn($"[bold]{r.Name}[/]").RightAligned()).ToArray());
table.AddRow(["Delivered emails", .. results.Select(r => $"{r.Delivered} / {Messages}")]);
table.AddRow(["Failed emails", .. results.Select(r => r.Failed == 0 ? "[green]0[/]" : $"[red]{r.Failed}[/]")]);
table.AddRow(["Throttled attempts", .. results.Select(r => r.ThrottledAttempts.ToString(CultureInfo.InvariantCulture))]);
table.AddRow(["HTTP attempts", .. results.Select(r => r.Attempts.ToString(CultureInfo.InvariantCulture))]);
table.AddRow(["Duration", .. results.Select(r => $"{r.Duration.TotalSeconds:0.0} s")]);
table.AddRow([$"Recipients/s delivered (quota {Quota}/s, burst {Quota})", .. results.Select(r => $"{r.RecipientsPerSecond:0.0}")]);
AnsiConsole.Write(table);
return results[^1].Failed == 0 ? 0 : 1;

async Task<RunResult> RunAsync(string name, bool throttled)
{
    await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { RatePerSecond = Quota, Burst = Quota });
    var services = new ServiceCollection();
    services.AddDefaultAWSOptions(new AWSOptions
    {
        Credentials = new BasicAWSCredentials("demo", "demo"),
        Region = RegionEndpoint.USEast1,
        DefaultClientConfig = { ServiceURL = emulator.Endpoint.ToString(), AuthenticationRegion = "us-east-1", IgnoreConfiguredEndpointUrls = true },
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
    var delivered = 0;
    var failed = 0;
    var clock = Stopwatch.StartNew();

    var senders = Enumerable.Range(0, Workers).Select(async _ =>
    {
        while (queue.TryDequeue(out var email))
        {
            try
            {
                await client.AssumeRoleAsync(email.ToRequest());
                Interlocked.Increment(ref delivered);
            }
            catch (AmazonServiceException)
            {
                Interlocked.Increment(ref failed);
            }
        }
    }).ToArray();
    var all = Task.WhenAll(senders);

    var progress = new Table().Border(TableBorder.Simple).Title($"[bold]{name}[/]")
        .AddColumns("Sent", "Failed", "Throttled attempts", "Recipients/s (last second)", "Elapsed");
    await AnsiConsole.Live(progress).StartAsync(async context =>
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

    await all;
    clock.Stop();
    var finalAttempts = emulator.Attempts;
    var recipients = finalAttempts.Where(a => a.Outcome == EmulatorOutcome.Accepted).Sum(a => a.Cost);
    return new RunResult(
        name,
        delivered,
        failed,
        finalAttempts.Count(a => a.Outcome == EmulatorOutcome.Throttled),
        finalAttempts.Count,
        clock.Elapsed,
        recipients / clock.Elapsed.TotalSeconds);
}

internal sealed record Email(int Id, int Recipients)
{
    public AssumeRoleRequest ToRequest() => new()
    {
        RoleArn = "arn:aws:iam::123456789012:role/demo-sender",
        RoleSessionName = string.Create(CultureInfo.InvariantCulture, $"email-{Id}"),
        Tags = [.. Enumerable.Range(0, Recipients).Select(r => new Tag { Key = string.Create(CultureInfo.InvariantCulture, $"to{r}"), Value = string.Create(CultureInfo.InvariantCulture, $"user{r}@example.com") })],
    };
}

internal sealed record RunResult(string Name, int Delivered, int Failed, int ThrottledAttempts, int Attempts, TimeSpan Duration, double RecipientsPerSecond);
