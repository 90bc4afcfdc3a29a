using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using ThrottleKit.Testing;
using ThrottleKit.TestSupport;

namespace ThrottleKit.Packaging.Tests;

/// <summary>
/// A fresh console app outside the solution that references the packed packages as a user's would, and runs against the
/// emulator (HTTP and SMTP) and a redis-server of the test's own.
/// </summary>
[Collection(Packed.Name)]
public sealed class ConsumerAppTests(PackedFeed feed)
{
    [Fact]
    [Trait("Category", RealClock.Category)]
    public async Task The_packages_restore_build_and_run_in_an_app_outside_the_solution()
    {
        var app = feed.NewProjectFolder("consumer");
        await File.WriteAllTextAsync(Path.Combine(app, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="ThrottleKit.Aws" Version="{feed.Version}" />
                <PackageReference Include="ThrottleKit.Redis" Version="{feed.Version}" />
                <PackageReference Include="ThrottleKit.MailKit" Version="{feed.Version}" />
                <PackageReference Include="AWSSDK.SecurityToken" Version="4.0.101.10" />
                <PackageReference Include="AWSSDK.Extensions.NETCore.Setup" Version="4.0.102.10" />
                <PackageReference Include="Microsoft.Extensions.DependencyInjection" Version="10.0.15" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
            using Amazon;
            using Amazon.Extensions.NETCore.Setup;
            using Amazon.Runtime;
            using Amazon.SecurityToken;
            using Amazon.SecurityToken.Model;
            using MailKit.Net.Smtp;
            using MailKit.Security;
            using Microsoft.Extensions.DependencyInjection;
            using MimeKit;
            using Polly;
            using ThrottleKit;
            using ThrottleKit.Aws;
            using ThrottleKit.MailKit;

            var (endpoint, smtpPort, redis) = (args[0], int.Parse(args[1]), args[2]);
            var services = new ServiceCollection();
            services.AddDefaultAWSOptions(new AWSOptions
            {
                Credentials = new BasicAWSCredentials("test", "test"),
                Region = RegionEndpoint.USEast1,
                DefaultClientConfig = { ServiceURL = endpoint, AuthenticationRegion = "us-east-1" },
            });
            services.AddAWSService<IAmazonSecurityTokenService>();
            services.AddThrottledAwsClients(o => o.Services[AwsServiceKeys.SimpleEmail].RateLimit.PermitsPerSecond = 5)
                .MapServiceId("STS", AwsServiceKeys.SimpleEmail)
                .UseRedis(redis);
            await using var provider = services.BuildServiceProvider();
            var client = provider.GetRequiredService<IAmazonSecurityTokenService>();
            var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.GetCallerIdentityAsync(new GetCallerIdentityRequest())));
            var shared = provider.GetRequiredService<AwsThrottlingState>().GetBuckets().Single();

            // The core's strategy in a pipeline of the user's own.
            using var limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 100 });
            var pipeline = new ResiliencePipelineBuilder()
                .AddThrottling(new ThrottlingStrategyOptions { RateLimiter = limiter, Classifier = SimpleEmailThrottlingClassifier.Instance })
                .AddTimeout(TimeSpan.FromSeconds(10))
                .Build();
            var viaPolly = await pipeline.ExecuteAsync(async ct => await client.GetCallerIdentityAsync(new GetCallerIdentityRequest(), ct));

            // SMTP through MailKit.
            var executor = new ThrottledExecutor(new ThrottlingStrategyOptions { RateLimiter = limiter, Classifier = SesSmtpThrottlingClassifier.Instance });
            using var smtp = new SmtpClient();
            var sender = new ThrottledSmtpSender(smtp, executor, async (c, ct) =>
            {
                await c.ConnectAsync("127.0.0.1", smtpPort, SecureSocketOptions.None, ct);
                await c.AuthenticateAsync("user", "password", ct);
            });
            var message = new MimeMessage { Subject = "Hello" };
            message.From.Add(MailboxAddress.Parse("sender@example.com"));
            message.To.Add(MailboxAddress.Parse("recipient@example.com"));
            message.Body = new TextPart("plain") { Text = "Hi." };
            var reply = await sender.SendAsync(message);
            Console.WriteLine($"delivered={results.Length} account={results[0].Account} polly={viaPolly.Account} bucket={shared.ServiceKey}:{shared.Region} smtp={reply.StartsWith("Ok")}");
            """);

        await using var redis = await LocalRedisServer.StartAsync();
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { RatePerSecond = 5, Burst = 5, Smtp = true });
        var output = await PackedFeed.DotnetAsync(app, "run", "--project", Path.Combine(app, "Consumer.csproj"), "--", emulator.Endpoint.ToString(), emulator.SmtpPort!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), redis.Configuration);

        Assert.Contains("delivered=10 account=123456789012 polly=123456789012 bucket=SES:us-east-1 smtp=True", output, StringComparison.Ordinal);
        Assert.Equal(12, emulator.Attempts.Count(a => a.Outcome == EmulatorOutcome.Accepted));

        // The packaged limiter, its bucket in Redis, kept to 5/s: without it the ten calls, and the SDK's retries of the five throttled, arrive at once.
        var sent = emulator.BusiestWindowOfAttempts(TimeSpan.FromSeconds(1));
        var bound = RealClock.WindowBound(5, 5, TimeSpan.FromSeconds(1), RealClock.LateTimestampAllowance(emulator.SchedulingLag()));
        Assert.True(sent.Count <= bound + 2, $"Sent {sent}, bound {bound:0.0} (and the Polly and SMTP calls): the packaged limiter did not keep to the quota. {emulator.Describe()}");
    }
}
