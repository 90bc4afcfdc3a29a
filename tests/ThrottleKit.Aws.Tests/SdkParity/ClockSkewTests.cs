using System;
using System.Linq;
using System.Threading.Tasks;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.DependencyInjection;
using ThrottleKit.Aws.Tests.Support;
using ThrottleKit.Testing;

namespace ThrottleKit.Aws.Tests.SdkParity;

/// <summary>
/// A client whose clock is off: the service refuses its signature with its own time, and the SDK alone learns that time for
/// the endpoint and sends again at once. Through ThrottleKit it does the same. The emulator's clock is set ten minutes ahead,
/// which to the client is its own clock ten minutes behind.
/// </summary>
public class ClockSkewTests
{
    private static readonly TimeSpan TenMinutes = TimeSpan.FromMinutes(10);

    [Theory]
    [InlineData(10)]
    [InlineData(-10)]
    public async Task A_client_ten_minutes_off_succeeds_on_attempt_two_and_later_calls_on_attempt_one(int minutes)
    {
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { ClockOffset = TimeSpan.FromMinutes(minutes) });
        await using var provider = Containers.Build(emulator);
        var client = provider.GetRequiredService<IAmazonSecurityTokenService>();

        await client.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        await client.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        await client.GetCallerIdentityAsync(new GetCallerIdentityRequest());

        var calls = emulator.Attempts.GroupBy(a => a.InvocationId).Select(g => g.Select(a => a.Outcome).ToArray()).ToArray();
        Assert.Equal(3, calls.Length);
        Assert.Equal([EmulatorOutcome.SignatureExpired, EmulatorOutcome.Accepted], calls[0]);
        Assert.Equal([EmulatorOutcome.Accepted], calls[1]);
        Assert.Equal([EmulatorOutcome.Accepted], calls[2]);
    }

    [Fact]
    public async Task A_JSON_service_that_answers_InvalidSignatureException_is_corrected_too()
    {
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { ClockOffset = TenMinutes });
        await using var provider = Containers.Build(emulator);
        var client = provider.GetRequiredService<Amazon.SQS.IAmazonSQS>();

        await client.SendMessageBatchAsync(new Amazon.SQS.Model.SendMessageBatchRequest
        {
            QueueUrl = emulator.Endpoint + "123456789012/dial",
            Entries = [new() { Id = "a", MessageBody = "hello" }],
        });

        Assert.Equal([EmulatorOutcome.SignatureExpired, EmulatorOutcome.Accepted], emulator.Attempts.Select(a => a.Outcome));
    }

    [Fact]
    public async Task The_correction_spends_neither_a_throttle_retry_nor_a_second_permit()
    {
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { ClockOffset = TenMinutes });
        await using var provider = Containers.Build(emulator, o =>
        {
            var ses = o.Services[AwsServiceKeys.SimpleEmail];
            ses.Backoff.MaxRetries = 0;
            ses.Adaptive.Enabled = false;
            ses.RateLimit.PermitsPerSecond = 1e-6;
            ses.RateLimit.Burst = 5;
            ses.RateLimit.JitterAllowance = TimeSpan.Zero;
        });
        var client = provider.GetRequiredService<IAmazonSecurityTokenService>();

        await client.GetCallerIdentityAsync(new GetCallerIdentityRequest());

        Assert.Equal([EmulatorOutcome.SignatureExpired, EmulatorOutcome.Accepted], emulator.Attempts.Select(a => a.Outcome));
        var bucket = Assert.Single(provider.GetRequiredService<AwsThrottlingState>().GetBuckets());
        Assert.Equal(4, bucket.AvailablePermits);
    }

    [Fact]
    public async Task A_signature_refused_for_any_other_reason_is_not_sent_again()
    {
        // Within five minutes of the service's time the SDK takes SignatureDoesNotMatch for a wrong secret, not a skew.
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions
        {
            ClockOffset = TimeSpan.FromMinutes(2),
            MaxSignatureAge = TimeSpan.FromMinutes(1),
        });
        await using var provider = Containers.Build(emulator);
        var client = provider.GetRequiredService<IAmazonSecurityTokenService>();

        var error = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => client.GetCallerIdentityAsync(new GetCallerIdentityRequest()));

        Assert.Equal("SignatureDoesNotMatch", error.ErrorCode);
        Assert.Single(emulator.Attempts);
    }
}
