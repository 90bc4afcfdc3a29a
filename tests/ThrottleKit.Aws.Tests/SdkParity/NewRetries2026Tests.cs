using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.DependencyInjection;
using ThrottleKit.Aws.Tests.Support;
using ThrottleKit.Testing;

namespace ThrottleKit.Aws.Tests.SdkParity;

/// <summary>
/// The SDK's 2026 retry behaviour: on or off, a wrapped client is retried by ThrottleKit alone, which honours
/// <c>x-amz-retry-after</c> either way. AWSSDK.Core 4.0.102 and later 4.0 versions read <c>AWS_NEW_RETRIES_2026</c> once
/// per process, in <c>RetryPolicy</c>'s static constructor, into an internal static <c>UseNewRetries2026</c>; these tests
/// set that value as the variable would have at start (the variable itself is read before any test runs). AWSSDK.Core 4.1
/// has no switch: the 2026 behaviour is its only one, and both cases run with it.
/// </summary>
[Collection(ProcessWide.Name)]
public class NewRetries2026Tests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task On_or_off_no_SDK_retry_runs_under_ThrottleKit(bool newRetries)
    {
        using var setting = NewRetries(newRetries);
        {
            // ThrottleKit retries nothing here: a throttle surfaces after one attempt, unless the SDK retried underneath.
            await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { RatePerSecond = 1, Burst = 1 });
            await using var provider = Containers.Build(emulator, o =>
            {
                var ses = o.Services[AwsServiceKeys.SimpleEmail];
                ses.RateLimit.PermitsPerSecond = 100;
                ses.Backoff = new() { MaxRetries = 0 };
            });
            var client = provider.GetRequiredService<IAmazonSecurityTokenService>();

            await client.GetCallerIdentityAsync(new GetCallerIdentityRequest());
            var throttled = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => client.GetCallerIdentityAsync(new GetCallerIdentityRequest()));

            Assert.Equal("Throttling", throttled.ErrorCode);
            Assert.Equal([EmulatorOutcome.Accepted, EmulatorOutcome.Throttled], emulator.Attempts.Select(a => a.Outcome));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    [Trait("Category", RealClock.Category)]
    public async Task On_or_off_a_throttle_is_retried_no_sooner_than_its_x_amz_retry_after(bool newRetries)
    {
        using var setting = NewRetries(newRetries);
        {
            var asked = TimeSpan.FromMilliseconds(600);
            await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { RatePerSecond = 2, Burst = 1, ThrottleRetryAfter = asked });
            await using var provider = Containers.Build(emulator, o => o.Services[AwsServiceKeys.SimpleEmail].RateLimit.PermitsPerSecond = 100);
            var client = provider.GetRequiredService<IAmazonSecurityTokenService>();

            await Task.WhenAll(client.GetCallerIdentityAsync(new GetCallerIdentityRequest()), client.GetCallerIdentityAsync(new GetCallerIdentityRequest()));

            Assert.Equal(2, emulator.Attempts.Count(a => a.Outcome == EmulatorOutcome.Accepted));
            AssertRetriedNoSoonerThan(asked, emulator.Attempts);
        }
    }

    [Fact]
    [Trait("Category", RealClock.Category)]
    public async Task The_switch_is_in_force_the_SDK_alone_honours_x_amz_retry_after_with_it_on()
    {
        // What makes the two cases above two: with the 2026 behaviour on, the SDK alone waits what the throttle asked
        // (without it, AWSSDK.Core 4.0.102.19 retried about 1.4 s after a throttle that asked 3 s, by its own backoff).
        using var setting = NewRetries(true);
        var asked = TimeSpan.FromMilliseconds(1500);
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { RatePerSecond = 2, Burst = 1, ThrottleRetryAfter = asked });
        using var alone = Clients.Sts(emulator);

        await Task.WhenAll(alone.GetCallerIdentityAsync(new GetCallerIdentityRequest()), alone.GetCallerIdentityAsync(new GetCallerIdentityRequest()));

        AssertRetriedNoSoonerThan(asked, emulator.Attempts);
    }

    /// <summary>
    /// Every later attempt of the throttled call came at least <paramref name="asked"/> after the throttle's handling began.
    /// Only a lower bound, which a loaded machine can only make easier to meet. The retries are told apart by the SDK's
    /// invocation id, not by time: the two calls are sent at once, so the accepted one may be stamped a hair after the throttle.
    /// </summary>
    private static void AssertRetriedNoSoonerThan(TimeSpan asked, IReadOnlyList<EmulatorAttempt> attempts)
    {
        var evidence = string.Join("; ", attempts.Select(a => $"{a.Outcome} at {a.At.TotalMilliseconds:0} ms ({a.InvocationId})"));
        var throttle = attempts.First(a => a.Outcome == EmulatorOutcome.Throttled);
        Assert.NotNull(throttle.InvocationId);
        var retries = attempts.Where(a => a.InvocationId == throttle.InvocationId && a.At > throttle.At).ToArray();
        Assert.NotEmpty(retries);
        Assert.All(retries, a => Assert.True(a.At - throttle.At >= asked - TimeSpan.FromMilliseconds(20), evidence));
    }

    private static Setting NewRetries(bool on)
    {
        var property = typeof(RetryPolicy).GetProperty("UseNewRetries2026", BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static);
        if (property is null)
        {
            // The assembly version is 4.0.0.0 in every 4.x release; the file version is the package's.
            Assert.StartsWith("4.1", typeof(RetryPolicy).Assembly.GetCustomAttribute<AssemblyFileVersionAttribute>()?.Version, StringComparison.Ordinal);
            return new Setting(null, false);
        }

        var was = (bool)property.GetValue(null)!;
        property.SetValue(null, on);
        return new Setting(property, was);
    }

    private sealed class Setting(PropertyInfo? property, bool was) : IDisposable
    {
        public void Dispose() => property?.SetValue(null, was);
    }
}
