using System;
using System.Linq;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.DependencyInjection;
using ThrottleKit.Aws.Tests.Support;
using ThrottleKit.Testing;

namespace ThrottleKit.Aws.Tests.SdkParity;

/// <summary>
/// A client left in the SDK's <see cref="RequestRetryMode.Adaptive"/> mode: the SDK asks its client-side (CUBIC) bucket for a
/// send token, and spends its retry quota, from its retry handler, which ThrottleKit takes the place of, so no second
/// limiter runs under ThrottleKit's. Were one running, the throttles here would make it refuse or hold back calls.
/// </summary>
public class AdaptiveRetryModeTests
{
    [Fact]
    public async Task A_client_in_Adaptive_mode_is_paced_and_retried_by_ThrottleKit_alone_and_fails_no_call()
    {
        // ThrottleKit at twice the quota, so the service throttles: the SDK's adaptive bucket would cut its own rate on
        // each throttle and its retry quota would refuse retries once spent.
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { RatePerSecond = 20, Burst = 5 });
        var services = new ServiceCollection();
        var aws = Clients.AwsOptions(emulator);
        aws.DefaultClientConfig.RetryMode = RequestRetryMode.Adaptive;
        services.AddDefaultAWSOptions(aws);
        services.AddAWSService<IAmazonSecurityTokenService>();
        services.AddThrottledAwsClients(o =>
            {
                var ses = o.Services[AwsServiceKeys.SimpleEmail];
                ses.RateLimit.PermitsPerSecond = 40;
                ses.RateLimit.Burst = 5;
                ses.Backoff.MaxRetries = 20;
            })
            .MapServiceId("STS", AwsServiceKeys.SimpleEmail);
        await using var provider = services.BuildServiceProvider(validateScopes: true);
        var client = provider.GetRequiredService<IAmazonSecurityTokenService>();

        var calls = await Task.WhenAll(Enumerable.Range(0, 60).Select(async _ =>
        {
            try
            {
                await client.GetCallerIdentityAsync(new GetCallerIdentityRequest());
                return null;
            }
            catch (AmazonServiceException failed)
            {
                return failed;
            }
        }));

        var attempts = emulator.Attempts;
        var evidence = $"{attempts.Count(a => a.Outcome == EmulatorOutcome.Accepted)} accepted, {attempts.Count(a => a.Outcome == EmulatorOutcome.Throttled)} throttled; failures: {string.Join("; ", calls.OfType<Exception>().Select(e => e.Message).Distinct())}";
        Assert.True(attempts.Any(a => a.Outcome == EmulatorOutcome.Throttled), $"the service never throttled, so nothing here was tested: {evidence}");
        Assert.All(calls, failure => Assert.Null(failure));
        Assert.Equal(60, attempts.Count(a => a.Outcome == EmulatorOutcome.Accepted));
        Assert.Equal(RequestRetryMode.Adaptive, client.Config.RetryMode);
    }
}
