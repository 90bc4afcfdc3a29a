using System.Diagnostics;
using Amazon;
using Amazon.Extensions.NETCore.Setup;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.DependencyInjection;
using ThrottleKit;
using ThrottleKit.Aws;
using ThrottleKit.Testing;
using Xunit;

public class MailerTests
{
    [Fact]
    public async Task Thirty_sends_at_a_quota_of_10_per_second_all_go_once_and_are_paced_to_the_quota()
    {
        // The service: SES's quota and wire format on a free loopback port.
        await using var ses = await SesEmulator.StartAsync(new() { RatePerSecond = 10, Burst = 10, DailyQuota = 200 });

        // The app's container, pointed at it. (STS speaks SES's protocol; with AWSSDK.SimpleEmail, register IAmazonSimpleEmailService.)
        var services = new ServiceCollection();
        services.AddDefaultAWSOptions(new AWSOptions
        {
            Credentials = new BasicAWSCredentials("test", "test"),
            Region = RegionEndpoint.USEast1,
            DefaultClientConfig = { ServiceURL = ses.Endpoint.ToString(), AuthenticationRegion = "us-east-1" },
        });
        services.AddAWSService<IAmazonSecurityTokenService>();
        services.AddThrottledAwsClients(o => o.Services["SES"].RateLimit.PermitsPerSecond = 10)
            .MapServiceId("STS", AwsServiceKeys.SimpleEmail);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IAmazonSecurityTokenService>();

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => client.GetCallerIdentityAsync(new GetCallerIdentityRequest())));
        clock.Stop();

        // What the service saw: every send accepted, once. And paced: a burst of 10, then one every 100 ms, so the 30th cannot
        // go before 2 s (less the 25 ms jitter allowance). A lower bound, which a busy machine only makes easier to meet.
        Assert.Equal(30, ses.Attempts.Count(a => a.Outcome == EmulatorOutcome.Accepted));
        Assert.True(
            clock.Elapsed >= TimeSpan.FromSeconds(1.975),
            $"30 sends took {clock.Elapsed.TotalSeconds:0.000} s; busiest second: {ses.BusiestWindowOfAttempts(TimeSpan.FromSeconds(1))}");
    }

    [Fact]
    public async Task Retry_logic_under_throttling_runs_in_virtual_time()
    {
        // No network at all: the executor's answers are scripted and its clock is virtual.
        var executor = new FakeThrottledExecutor().ThrottleNext(2);

        var messageId = await executor.ExecuteAsync(_ => Task.FromResult("0100-abc"), cost: 3);

        Assert.Equal("0100-abc", messageId);
        Assert.Equal([FakeOutcome.Throttled, FakeOutcome.Throttled, FakeOutcome.Ran], executor.Attempts.Select(a => a.Outcome));
        Assert.Equal(TimeSpan.FromMilliseconds(10 + 20), executor.Elapsed);
    }
}
