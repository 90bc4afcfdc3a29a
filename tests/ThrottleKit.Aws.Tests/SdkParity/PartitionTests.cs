using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Amazon;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using ThrottleKit.Aws.Tests.Support;
using ThrottleKit.Testing;

namespace ThrottleKit.Aws.Tests.SdkParity;

/// <summary>
/// AWS sets SES's and Connect Campaigns' quotas per account in each Region: a wrapped client spends the bucket of the account
/// its credentials belong to, in the Region it signs for. Clients for two Regions, or with two credentials, are registered as
/// an app registers them: keyed, one factory each.
/// </summary>
public class PartitionTests
{
    [Fact]
    [Trait("Category", RealClock.Category)]
    public async Task Two_Regions_at_10_per_second_each_send_60_in_less_time_than_one_bucket_could()
    {
        const double Rate = 10;
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { RatePerSecond = Rate, Burst = Rate });
        await using var provider = Build(
            emulator,
            [("us", "us-east-1", "AKIDFIRST"), ("eu", "eu-west-1", "AKIDFIRST")],
            o => o.Services[AwsServiceKeys.SimpleEmail].RateLimit = new() { PermitsPerSecond = Rate, Burst = (int)Rate },
            services: null);
        var clients = new[] { "us", "eu" }.Select(provider.GetRequiredKeyedService<IAmazonSecurityTokenService>).ToArray();
        foreach (var client in clients)
        {
            await client.GetCallerIdentityAsync(new GetCallerIdentityRequest()); // warm: JIT, connection; spends 1 of each burst
        }

        var from = emulator.Elapsed;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(clients.SelectMany(client => Enumerable.Range(0, 4).Select(async worker =>
        {
            for (var i = worker; i < 30; i += 4)
            {
                await client.GetCallerIdentityAsync(new GetCallerIdentityRequest());
            }
        })));
        var elapsed = Stopwatch.GetElapsedTime(started);

        // One bucket for both would need (60 − 9 left of its burst) / 10 = 5.1 s at the least; two need (30 − 9) / 10 = 2.1 s
        // each, side by side. A busy machine only ever slows the sends, so the time proves two buckets only where the process
        // ran on time; the buckets themselves are read out whatever the load: one per Region, each spent to its own quota.
        // Each Region's limiter is set exactly to its quota, so a throttled answer comes only from a sender that stalled past
        // half the jitter allowance and then sent what it owed at once: at most rate · excess lag per Region (docs/testing.md).
        var lag = emulator.SchedulingLag(from);
        var allowance = RealClock.LateTimestampAllowance(lag);
        var excess = emulator.ExcessLag(RealClock.StallThreshold(AwsRateLimitOptions.DefaultJitterAllowance), from);
        var throttleBound = 2 * RealClock.ThrottleBound(Rate, excess);
        var sent = emulator.Attempts.Where(a => a.At >= from).ToArray();
        var throttled = sent.Count(a => a.Outcome == EmulatorOutcome.Throttled);
        var diagnosis = $"60 sends took {elapsed.TotalSeconds:0.00} s; {throttled} throttled answers (bound {throttleBound:0.#}, excess lag {excess.TotalMilliseconds:0} ms); scheduling lag {lag.TotalMilliseconds:0} ms (L = {allowance.TotalMilliseconds:0} ms); load {RealClock.LoadAverage()}. {emulator.Describe()}";
        Assert.Equal(
            [("eu-west-1", 30), ("us-east-1", 30)],
            sent.Where(a => a.Outcome == EmulatorOutcome.Accepted).GroupBy(a => a.Region).Select(g => (g.Key, g.Count())).Order());
        Assert.True(throttled <= throttleBound, diagnosis);
        Assert.Equal(
            ["eu-west-1", "us-east-1"],
            provider.GetRequiredService<AwsThrottlingState>().GetBuckets().Where(b => b.Operation is null).Select(b => b.Region).Order());

        // Neither Region outran its own quota: 30 sends from at most a full burst take (30 − 10) / 10 s, less what the limiter
        // may count from a late timer's due time (QueuedLateness) and the jitter allowance it keeps in hand.
        var fastest = TimeSpan.FromSeconds((30 - Rate) / Rate) - GcraRateLimiter.QueuedLateness - AwsRateLimitOptions.DefaultJitterAllowance;
        Assert.True(elapsed >= fastest, diagnosis);
        if (excess < TimeSpan.FromMilliseconds(100))
        {
            Assert.True(elapsed < TimeSpan.FromSeconds(5.1) - allowance, diagnosis);
        }
    }

    [Fact]
    public async Task Two_accounts_in_one_Region_spend_two_buckets_and_the_access_key_is_never_shown()
    {
        var collector = new FakeLogCollector();
        await using var emulator = await SesEmulator.StartAsync();
        await using var provider = Build(
            emulator,
            [("a", "us-east-1", "AKIDFIRSTACCOUNT"), ("b", "us-east-1", "AKIDSECONDACCOUNT")],
            o => o.Services[AwsServiceKeys.SimpleEmail].Regions["eu-west-1"] = new() { PermitsPerSecond = 3, Burst = 3 },
            s => s.AddSingleton<TimeProvider>(new FakeTimeProvider()).AddLogging(l => l.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(collector))));

        await provider.GetRequiredKeyedService<IAmazonSecurityTokenService>("a").GetCallerIdentityAsync(new GetCallerIdentityRequest());
        await provider.GetRequiredKeyedService<IAmazonSecurityTokenService>("b").GetCallerIdentityAsync(new GetCallerIdentityRequest());

        var buckets = provider.GetRequiredService<AwsThrottlingState>().GetBuckets();
        Assert.Equal(2, buckets.Count);
        Assert.All(buckets, b => Assert.Equal(("us-east-1", 14.0), (b.Region, b.PermitsPerSecond)));
        Assert.NotEqual(buckets[0].Account, buckets[1].Account);
        Assert.DoesNotContain(buckets, b => b.Account.Contains("AKID", StringComparison.Ordinal));
        Assert.DoesNotContain(collector.GetSnapshot(), r => r.Message.Contains("AKID", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_Region_may_have_a_rate_of_its_own_and_the_bucket_is_stored_under_its_whole_partition()
    {
        var store = new NameRecordingStore();
        await using var emulator = await SesEmulator.StartAsync();
        await using var provider = Build(
            emulator,
            [("us", "us-east-1", "AKIDFIRST"), ("eu", "eu-west-1", "AKIDFIRST")],
            o => o.Services[AwsServiceKeys.SimpleEmail].Regions["eu-west-1"] = new() { PermitsPerSecond = 3, Burst = 3 },
            s => s.AddSingleton<IRateLimiterStore>(store));

        await provider.GetRequiredKeyedService<IAmazonSecurityTokenService>("us").GetCallerIdentityAsync(new GetCallerIdentityRequest());
        await provider.GetRequiredKeyedService<IAmazonSecurityTokenService>("eu").GetCallerIdentityAsync(new GetCallerIdentityRequest());

        var buckets = provider.GetRequiredService<AwsThrottlingState>().GetBuckets().ToDictionary(b => b.Region, b => b.PermitsPerSecond);
        Assert.Equal(new Dictionary<string, double?> { ["us-east-1"] = 14, ["eu-west-1"] = 3 }, buckets);
        var account = provider.GetRequiredService<AwsThrottlingState>().GetBuckets()[0].Account;
        Assert.Equal([$"SES:eu-west-1:{account}", $"SES:us-east-1:{account}"], store.Names.Order(StringComparer.Ordinal));
    }

    private static ServiceProvider Build(
        SesEmulator emulator,
        (string Key, string Region, string AccessKey)[] clients,
        Action<AwsThrottlingOptions>? configure,
        Action<IServiceCollection>? services)
    {
        var collection = new ServiceCollection();
        services?.Invoke(collection);
        foreach (var (key, region, accessKey) in clients)
        {
            collection.AddKeyedSingleton<IAmazonSecurityTokenService>(key, (_, _) => new AmazonSecurityTokenServiceClient(
                new BasicAWSCredentials(accessKey, "secret", AccountOf(accessKey)),
                new AmazonSecurityTokenServiceConfig { ServiceURL = emulator.Endpoint.ToString(), AuthenticationRegion = region, IgnoreConfiguredEndpointUrls = true }));
        }

        collection.AddThrottledAwsClients(o => configure?.Invoke(o)).MapServiceId("STS", AwsServiceKeys.SimpleEmail);
        return collection.BuildServiceProvider(validateScopes: true);
    }

    /// <summary>The account an access key belongs to here: one of its own, a stable twelve digits.</summary>
    private static string AccountOf(string accessKey) => ((accessKey.Aggregate(17L, (h, c) => unchecked((h * 31) + c)) & long.MaxValue) % 1_000_000_000_000).ToString("D12", System.Globalization.CultureInfo.InvariantCulture);
}
