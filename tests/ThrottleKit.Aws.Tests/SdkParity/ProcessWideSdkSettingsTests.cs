using System;
using System.Linq;
using System.Threading.Tasks;
using Amazon;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.DependencyInjection;
using ThrottleKit.Aws.Tests.Support;
using ThrottleKit.Testing;

namespace ThrottleKit.Aws.Tests.SdkParity;

/// <summary>The SDK's process-wide clock settings, which a wrapped client honours as the SDK alone does.</summary>
[Collection(ProcessWide.Name)]
public class ProcessWideSdkSettingsTests
{
    [Fact]
    public async Task With_CorrectForClockSkew_off_a_skewed_client_fails_on_its_first_attempt_as_the_SDK_alone_does()
    {
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { ClockOffset = TimeSpan.FromMinutes(10) });
        await using var provider = Containers.Build(emulator);
        var client = provider.GetRequiredService<IAmazonSecurityTokenService>();
        using var alone = Clients.Sts(emulator);

        AWSConfigs.CorrectForClockSkew = false;
        try
        {
            var wrapped = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => client.GetCallerIdentityAsync(new GetCallerIdentityRequest()));
            var sdk = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => alone.GetCallerIdentityAsync(new GetCallerIdentityRequest()));

            Assert.Equal(("SignatureDoesNotMatch", "SignatureDoesNotMatch"), (wrapped.ErrorCode, sdk.ErrorCode));
            Assert.Equal(2, emulator.Attempts.Count);
            Assert.All(emulator.Attempts, a => Assert.Equal(EmulatorOutcome.SignatureExpired, a.Outcome));
        }
        finally
        {
            AWSConfigs.CorrectForClockSkew = true;
        }
    }

    [Fact]
    public async Task A_retry_that_leaves_six_minutes_after_the_first_attempt_is_signed_then_and_accepted()
    {
        // The first attempt is throttled; the retry waits six minutes. The container's clock, the client's and the service's
        // all move six minutes on while it waits (the client's through AWSConfigs.ManualClockCorrection, the SDK's own
        // setting): a retry that kept the first attempt's signature would be refused as expired.
        var sixMinutes = TimeSpan.FromMinutes(6);
        var time = new RetryDelaySignal(sixMinutes);
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { RatePerSecond = 1, Burst = 1 });
        await using var provider = Containers.Build(
            emulator,
            o => o.Services[AwsServiceKeys.SimpleEmail].Backoff = new() { MinDelay = sixMinutes, MaxDelay = sixMinutes },
            services: s => s.AddSingleton<TimeProvider>(time));
        var client = provider.GetRequiredService<IAmazonSecurityTokenService>();
        await client.GetCallerIdentityAsync(new GetCallerIdentityRequest());

        try
        {
            var call = client.GetCallerIdentityAsync(new GetCallerIdentityRequest());
            await time.Started.WaitAsync(TimeSpan.FromSeconds(30));
            AWSConfigs.ManualClockCorrection = sixMinutes;
            emulator.AdvanceClock(sixMinutes);
            time.Advance(sixMinutes);
            await call.WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            AWSConfigs.ManualClockCorrection = null;
        }

        var retried = emulator.Attempts.Skip(1).ToArray();
        Assert.Equal([EmulatorOutcome.Throttled, EmulatorOutcome.Accepted], retried.Select(a => a.Outcome));
        Assert.Equal(retried[0].InvocationId, retried[1].InvocationId);
        Assert.InRange(retried[1].SignedAt!.Value - retried[0].SignedAt!.Value, sixMinutes, sixMinutes + TimeSpan.FromSeconds(30));
    }
}
