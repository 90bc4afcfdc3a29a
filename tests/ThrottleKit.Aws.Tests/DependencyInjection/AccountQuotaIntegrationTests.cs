using System;
using System.Linq;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.DependencyInjection;
using ThrottleKit.Aws;
using ThrottleKit.Aws.Tests.Support;
using ThrottleKit.Testing;
using ThrottleKit;

namespace ThrottleKit.Aws.Tests.DependencyInjection;

/// <summary><c>UseAccountQuota</c> with the emulator as the account: its rate and its 24-hour count stand for a service's own quota API.</summary>
public class AccountQuotaIntegrationTests
{
    [Fact]
    public async Task The_rate_comes_from_the_account_and_a_spent_24_hour_quota_fails_fast_without_reaching_the_service()
    {
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { RatePerSecond = 1000, Burst = 1000, DailyQuota = 6 });
        IAmazonSecurityTokenService? given = null;
        await using var provider = Containers.Build(emulator, configureBuilder: builder => builder.UseAccountQuota<IAmazonSecurityTokenService>(AwsServiceKeys.SimpleEmail, (client, _) =>
        {
            given = client;
            return Task.FromResult(new AccountQuota(maxPermitsPerSecond: 200, max24HourPermits: 6, usedLast24Hours: emulator.SentToday));
        }));
        var sts = provider.GetRequiredService<IAmazonSecurityTokenService>();
        var state = provider.GetRequiredService<AwsThrottlingState>();

        // The account's quota is read for a bucket when a call first needs the bucket.
        await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        for (var i = 0; i < 200 && state.GetBuckets().Single().PermitsPerSecond != 200; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(200, state.GetBuckets().Single().PermitsPerSecond);
        Assert.Same(sts, given);   // read through the client whose call made the bucket
        var sent = 1;
        var refused = 0;
        for (var i = 1; i < 8; i++)
        {
            try
            {
                await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());
                sent++;
            }
            catch (DailyQuotaExceededException)
            {
                refused++;
            }
        }

        // The first call may be in flight while the quota is read: whether the reading holds it cannot be known, so it is
        // counted as not held, and the 24-hour quota may be spent one call early — never one call late.
        Assert.Equal(8, sent + refused);
        Assert.InRange(sent, 5, 6);
        Assert.Equal(sent, emulator.Attempts.Count);
        Assert.DoesNotContain(emulator.Attempts, a => a.Outcome == EmulatorOutcome.DailyQuotaExceeded);
    }

    [Fact]
    public async Task A_refresh_interval_under_a_second_fails_at_startup_naming_the_setting()
    {
        await using var emulator = await SesEmulator.StartAsync();
        await using var provider = Containers.Build(emulator, options => options.Services[AwsServiceKeys.SimpleEmail].AccountQuota.RefreshInterval = TimeSpan.FromMilliseconds(100));

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<AwsThrottlingOptions>>().Value);

        Assert.Contains("Services:SES:AccountQuota:RefreshInterval", error.Message, StringComparison.Ordinal);
    }
}
