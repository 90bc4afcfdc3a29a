using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ThrottleKit.Aws.Tests.Support;
using ThrottleKit.Testing;

namespace ThrottleKit.Aws.Tests.SimpleEmail;

/// <summary>
/// SES's own quota is the default rate: each account in each Region is read where it is spent, through the SES client whose
/// call made the bucket (<c>GetSendQuota</c> for v1, <c>GetAccount</c> for v2), and a rate the app sets caps the reading.
/// </summary>
public class SesAccountQuotaTests
{
    [Fact]
    public async Task With_no_rate_configured_each_Region_sends_at_its_own_account_quota()
    {
        await using var emulator = await StartAsync();
        var log = new FakeLogCollector();
        await using var provider = Build(emulator, configure: null, log);

        var (rates, readings) = await SendOnceAndReadAsync(provider, log);

        Assert.Equal(2, readings.Length);
        Assert.Equal(new Dictionary<string, double?> { ["eu-west-1"] = 4, ["us-east-1"] = 20 }, rates);
        var reads = emulator.Attempts.Where(a => a.Operation == "GetSendQuota").ToArray();
        Assert.Equal(["eu-west-1", "us-east-1"], reads.Select(a => a.Region).Distinct().Order());
        Assert.All(reads, read => Assert.Equal(EmulatorOutcome.Accepted, read.Outcome));
    }

    [Fact]
    public async Task A_rate_the_app_sets_caps_the_account_quota_and_a_lower_quota_still_wins()
    {
        await using var emulator = await StartAsync();
        var log = new FakeLogCollector();
        await using var provider = Build(emulator, o => o.Services[AwsServiceKeys.SimpleEmail].RateLimit.PermitsPerSecond = 10, log);

        var (rates, readings) = await SendOnceAndReadAsync(provider, log);

        Assert.Equal(2, readings.Length);
        Assert.Contains(readings, r => r.Contains("20", StringComparison.Ordinal));   // read 20 in us-east-1, kept to 10
        Assert.Equal(new Dictionary<string, double?> { ["eu-west-1"] = 4, ["us-east-1"] = 10 }, rates);
    }

    [Fact]
    public async Task Turned_off_the_configured_rate_stays_and_SES_is_not_asked()
    {
        await using var emulator = await StartAsync();
        await using var provider = Build(emulator, o => o.Services[AwsServiceKeys.SimpleEmail].ReadAccountQuota = false);

        await provider.GetRequiredKeyedService<IAmazonSecurityTokenService>("us").GetCallerIdentityAsync(new GetCallerIdentityRequest());
        await Task.Delay(200);

        Assert.Equal(14, Assert.Single(provider.GetRequiredService<AwsThrottlingState>().GetBuckets()).PermitsPerSecond);
        Assert.DoesNotContain(emulator.Attempts, a => a.Operation == "GetSendQuota");
    }

    [Fact]
    public async Task An_SES_v2_client_is_read_through_GetAccount_and_no_24_hour_limit_reads_as_none()
    {
        var client = new SesV2Shape(new SesV2Shape.SendQuota { MaxSendRate = 37, Max24HourSend = -1, SentLast24Hours = 12 });

        var quota = await SimpleEmailAccountQuota.ReaderFor(client)!(CancellationToken.None);

        Assert.Equal((37.0, (double?)null, (double?)12), (quota.MaxPermitsPerSecond, quota.Max24HourPermits, quota.UsedLast24Hours));
        Assert.Null(SimpleEmailAccountQuota.ReaderFor(new AmazonSecurityTokenServiceClient(Clients.Credentials, new AmazonSecurityTokenServiceConfig { ServiceURL = "http://127.0.0.1:9/" })));
    }

    private static Task<SesEmulator> StartAsync()
    {
        var options = new SesEmulatorOptions { RatePerSecond = 20, Burst = 20 };
        options.RegionRates["eu-west-1"] = 4;
        return SesEmulator.StartAsync(options);
    }

    /// <summary>
    /// Sends once through each Region's client, then waits (on the real clock: the reads are real calls) until both readings
    /// are applied — each is logged once applied — 10 s at most.
    /// </summary>
    private static async Task<(Dictionary<string, double?> Rates, string[] Readings)> SendOnceAndReadAsync(ServiceProvider provider, FakeLogCollector log)
    {
        foreach (var key in new[] { "us", "eu" })
        {
            await provider.GetRequiredKeyedService<IAmazonSecurityTokenService>(key).GetCallerIdentityAsync(new GetCallerIdentityRequest());
        }

        string[] readings = [];
        for (var i = 0; i < 1000 && readings.Length < 2; i++)
        {
            await Task.Delay(10);
            readings = [.. log.GetSnapshot().Where(r => r.Id.Name == "AccountQuotaRead").Select(r => r.Message).Order(StringComparer.Ordinal)];
        }

        return (provider.GetRequiredService<AwsThrottlingState>().GetBuckets().ToDictionary(b => b.Region, b => b.PermitsPerSecond), readings);
    }

    private static ServiceProvider Build(SesEmulator emulator, Action<AwsThrottlingOptions>? configure, FakeLogCollector? log = null)
    {
        var collection = new ServiceCollection();
        collection.AddLogging(l => l.AddProvider(new FakeLoggerProvider(log ?? new FakeLogCollector())));
        foreach (var (key, region) in new[] { ("us", "us-east-1"), ("eu", "eu-west-1") })
        {
            collection.AddKeyedSingleton<IAmazonSecurityTokenService>(key, (_, _) => new SesV1QuotaClient(
                Clients.Credentials,
                new AmazonSecurityTokenServiceConfig { ServiceURL = emulator.Endpoint.ToString(), AuthenticationRegion = region, IgnoreConfiguredEndpointUrls = true }));
        }

        collection.AddThrottledAwsClients(o => configure?.Invoke(o)).MapServiceId("STS", AwsServiceKeys.SimpleEmail);
        return collection.BuildServiceProvider(validateScopes: true);
    }

    /// <summary>The shape of an SES v2 client's <c>GetAccountAsync</c> and its answer, as AWSSDK.SimpleEmailV2 declares them.</summary>
    private sealed class SesV2Shape(SesV2Shape.SendQuota quota)
    {
        public Task<GetAccountResponse> GetAccountAsync(GetAccountRequest request, CancellationToken cancellationToken = default)
            => Task.FromResult(new GetAccountResponse { SendQuota = quota });

        public sealed class GetAccountRequest : AmazonWebServiceRequest;

        public sealed class GetAccountResponse : AmazonWebServiceResponse
        {
            public SendQuota? SendQuota { get; set; }
        }

        public sealed class SendQuota
        {
            public double? Max24HourSend { get; set; }

            public double? MaxSendRate { get; set; }

            public double? SentLast24Hours { get; set; }
        }
    }
}
