using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.DependencyInjection;
using ThrottleKit.Aws.Tests.Support;
using ThrottleKit.Testing;

namespace ThrottleKit.Aws.Tests.SdkParity;

/// <summary>
/// A throttle that carries <c>x-amz-retry-after</c> is retried no sooner than it asks, and no other call through the same
/// bucket is sent before then either: the service meant its quota. Real clock; only lower bounds are asserted, which a
/// loaded machine can only make easier to meet.
/// </summary>
public class RetryAfterTests
{
    [Fact]
    [Trait("Category", RealClock.Category)]
    public async Task A_throttle_asking_1500_ms_holds_back_its_retry_and_every_other_call_of_the_bucket_that_long()
    {
        var asked = TimeSpan.FromMilliseconds(1500);
        // A quota of one call every two seconds: the second call is throttled even when a loaded machine holds it back for
        // over a second (at 2/s, CI once sent it 500 ms late, it was accepted, and no throttle ever came).
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { RatePerSecond = 0.5, Burst = 1, ThrottleRetryAfter = asked });
        await using var provider = Containers.Build(emulator, o => o.Services[AwsServiceKeys.SimpleEmail].RateLimit.PermitsPerSecond = 100);
        var client = provider.GetRequiredService<IAmazonSecurityTokenService>();

        await client.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        var throttled = client.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        await WaitUntil(() => emulator.Attempts.Any(a => a.Outcome == EmulatorOutcome.Throttled));

        // The emulator records the throttle before the client has read its answer; the other call starts once it surely has.
        await Task.Delay(400);
        var other = client.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        await Task.WhenAll(throttled, other).WaitAsync(TimeSpan.FromSeconds(60));

        var attempts = emulator.Attempts;
        var throttle = attempts.First(a => a.Outcome == EmulatorOutcome.Throttled);
        var after = attempts.Where(a => a.At > throttle.At).ToArray();
        var evidence = string.Join("; ", attempts.Select(a => $"{a.Outcome} at {a.At.TotalMilliseconds:0} ms"));
        Assert.Equal(3, attempts.Count(a => a.Outcome == EmulatorOutcome.Accepted));
        Assert.NotEmpty(after);

        // The throttle's answer left after its handling began (At), and every later attempt waited the asked time after that.
        Assert.All(after, a => Assert.True(a.At - throttle.At >= asked - TimeSpan.FromMilliseconds(20), evidence));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the condition did not come true within 30 s");
            await Task.Delay(5);
        }
    }
}
