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
    public async Task Thirty_sends_at_a_quota_of_10_per_second_all_go_and_never_outrun_the_quota()
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

        await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => client.GetCallerIdentityAsync(new GetCallerIdentityRequest())));

        // What the service saw: every send accepted once, and no second with more attempts than the burst and the rate allow,
        // widened by the lateness measured on this machine (a busy CI runner delays requests after their permits, and
        // delayed requests arrive together): the bound holds wherever the test runs, and stays tight where nothing is late.
        Assert.Equal(30, ses.Attempts.Count(a => a.Outcome == EmulatorOutcome.Accepted));
        var bound = RealClock.WindowBound(burst: 10, rate: 10, TimeSpan.FromSeconds(1), RealClock.LateTimestampAllowance(ses.SchedulingLag()));
        var busiest = ses.BusiestWindowOfAttempts(TimeSpan.FromSeconds(1));
        Assert.True(busiest.Count <= bound, $"{busiest} against a bound of {bound:0.0}; {ses.Describe()}");
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
