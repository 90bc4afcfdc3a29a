using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using Microsoft.Extensions.DependencyInjection;
using ThrottleKit.Aws;
using ThrottleKit.Aws.Tests.Support;
using ThrottleKit.Testing;

namespace ThrottleKit.Aws.Tests.DependencyInjection;

/// <summary>
/// Real SDK clients resolved from a container with <c>AddThrottledAwsClients</c>, against the emulator over loopback HTTP.
/// STS stands for SES (both awsQuery) and SSM for Connect Campaigns (both JSON errors); attempts are counted at the emulator.
/// </summary>
public class ThrottledClientsIntegrationTests
{
    [Fact]
    [Trait("Category", RealClock.Category)]
    public async Task Two_hundred_calls_from_sixteen_tasks_all_succeed_without_the_client_outrunning_the_quota()
    {
        const double Quota = 20;
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { RatePerSecond = Quota, Burst = Quota });
        await using var provider = BuildProvider(emulator, o => o.Services[AwsServiceKeys.SimpleEmail].RateLimit.PermitsPerSecond = Quota);
        var client = provider.GetRequiredService<IAmazonSecurityTokenService>();

        // Outside the measured run: JIT and the sixteen connections. A first request that is slow to leave reaches the service
        // together with later ones — lateness on the sending side that no lag probe sees — so the run starts warm, and after a
        // second in which both buckets fill again.
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => client.GetCallerIdentityAsync(new GetCallerIdentityRequest())));
        await Task.Delay(TimeSpan.FromSeconds(1));
        var from = emulator.Elapsed;
        var calls = new Queue<int>(Enumerable.Range(0, 200));

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            var done = new List<GetCallerIdentityResponse>();
            while (true)
            {
                lock (calls)
                {
                    if (!calls.TryDequeue(out var _))
                    {
                        return done;
                    }
                }

                done.Add(await client.GetCallerIdentityAsync(new GetCallerIdentityRequest()));
            }
        }));

        Assert.Equal(200, responses.Sum(r => r.Count));
        Assert.All(responses.SelectMany(r => r), r => Assert.Equal("123456789012", r.Account));
        Assert.Equal(200, emulator.Attempts.Count(a => a.At >= from && a.Outcome == EmulatorOutcome.Accepted));

        // The client never tried to send faster than its limiter allows: its attempts, throttled or not, as the emulator
        // stamped them, stay within burst + rate · (window + L), where L allows for the lateness measured on this machine.
        var allowance = RealClock.LateTimestampAllowance(emulator.SchedulingLag(from));
        foreach (var window in new[] { 0.25, 0.5, 1, 2, 5 }.Select(TimeSpan.FromSeconds))
        {
            var sent = emulator.BusiestWindowOfAttempts(window, from);
            var bound = RealClock.WindowBound(Quota, Quota, window, allowance);
            Assert.True(sent.Count <= bound, $"Sent {sent}, bound {bound:0.0} (L = {allowance.TotalMilliseconds:0} ms). {emulator.Describe()}");
        }
    }

    [Fact]
    public async Task A_spent_daily_quota_fails_after_exactly_one_attempt_with_the_original_exception()
    {
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { DailyQuota = 0 });
        await using var provider = BuildProvider(emulator);
        var client = provider.GetRequiredService<IAmazonSecurityTokenService>();

        var error = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => client.GetCallerIdentityAsync(new GetCallerIdentityRequest()));

        Assert.Equal("Throttling", error.ErrorCode);
        Assert.Equal("Daily message quota exceeded.", error.Message);
        Assert.Single(emulator.Attempts);
    }

    [Fact]
    [Trait("Category", RealClock.Category)]
    public async Task Server_errors_timeouts_and_dropped_connections_are_never_retried()
    {
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions
        {
            RatePerSecond = 1000,
            Burst = 1000,
            Faults = EmulatorFaults.ServerError | EmulatorFaults.Stall | EmulatorFaults.Reset,
            FaultRate = 0.3,
            StallDuration = TimeSpan.FromSeconds(6),
            Seed = 7,
        });
        await using var provider = BuildProvider(emulator, timeout: TimeSpan.FromSeconds(2));
        var client = provider.GetRequiredService<IAmazonSecurityTokenService>();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ =>
        {
            try
            {
                await client.GetCallerIdentityAsync(new GetCallerIdentityRequest());
                return null;
            }
            catch (Exception error)
            {
                return error;
            }
        }));

        // One attempt per call at most, and never two attempts of the same call: no invocation id is processed twice. Every call
        // the emulator answered (a success, a 500, a dropped connection) arrived; a call that timed out may have timed out
        // before it arrived, on a loaded machine.
        var attempts = emulator.Attempts;
        var answered = outcomes.Count(e => e is null or AmazonSecurityTokenServiceException { StatusCode: System.Net.HttpStatusCode.InternalServerError });
        Assert.True(attempts.Count >= answered && attempts.Count <= 40, $"{attempts.Count} attempts for 40 calls, {answered} answered. {emulator.Describe()}");
        Assert.All(attempts, a => Assert.False(string.IsNullOrEmpty(a.InvocationId)));
        Assert.Equal(attempts.Count, attempts.Select(a => a.InvocationId).Distinct().Count());
        Assert.Contains(attempts, a => a.Outcome == EmulatorOutcome.ServerError);
        Assert.Contains(attempts, a => a.Outcome == EmulatorOutcome.Stalled);
        Assert.Contains(attempts, a => a.Outcome == EmulatorOutcome.Reset);
        Assert.InRange(outcomes.Count(e => e is not null), attempts.Count(a => a.Outcome != EmulatorOutcome.Accepted), 40);
        Assert.Contains(outcomes, e => e is AmazonSecurityTokenServiceException { StatusCode: System.Net.HttpStatusCode.InternalServerError });
    }

    [Fact]
    public async Task An_always_throttled_SES_call_makes_MaxRetries_plus_one_attempts_and_rethrows_the_SDK_exception()
    {
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { Burst = 0 });

        // The SDK would retry on its own too; a wrapped client must not stack the two.
        await using var provider = BuildProvider(emulator, o => FastBackoff(o, AwsServiceKeys.SimpleEmail, retries: 3), maxErrorRetry: 5);
        var client = provider.GetRequiredService<IAmazonSecurityTokenService>();

        var error = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => client.GetCallerIdentityAsync(new GetCallerIdentityRequest()));

        Assert.Equal("Throttling", error.ErrorCode);
        Assert.Equal("Maximum sending rate exceeded.", error.Message);
        Assert.Equal(4, emulator.Attempts.Count);
        Assert.Single(emulator.Attempts.Select(a => a.InvocationId).Distinct());
    }

    [Fact]
    public async Task An_always_throttled_Connect_Campaigns_call_makes_MaxRetries_plus_one_attempts()
    {
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { Burst = 0 });
        await using var provider = BuildProvider(emulator, o => FastBackoff(o, AwsServiceKeys.ConnectCampaigns, retries: 2));
        var client = provider.GetRequiredService<IAmazonSimpleSystemsManagement>();

        var error = await Assert.ThrowsAsync<AmazonSimpleSystemsManagementException>(() => client.GetParameterAsync(new GetParameterRequest { Name = "p" }));

        Assert.Equal("ThrottlingException", error.ErrorCode);
        Assert.Equal(3, emulator.Attempts.Count);
    }

    [Fact]
    public async Task A_throttled_call_is_retried_until_the_quota_lets_it_through()
    {
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { RatePerSecond = 5, Burst = 1 });
        await using var provider = BuildProvider(emulator, o =>
        {
            // The client believes in a far higher quota than the service grants, so the service throttles it.
            o.Services[AwsServiceKeys.ConnectCampaigns].RateLimit.PermitsPerSecond = 1000;
        });
        var client = provider.GetRequiredService<IAmazonSimpleSystemsManagement>();

        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => client.GetParameterAsync(new GetParameterRequest { Name = "p" })));

        Assert.All(responses, r => Assert.Equal("ok", r.Parameter.Value));
        Assert.Contains(emulator.Attempts, a => a.Outcome == EmulatorOutcome.Throttled);
        Assert.Equal(5, emulator.Attempts.Count(a => a.Outcome == EmulatorOutcome.Accepted));
    }

    [Fact]
    public async Task A_client_registered_by_hand_with_a_factory_is_throttled_too()
    {
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { Burst = 0 });
        var services = new ServiceCollection();
        services.AddSingleton<IAmazonSecurityTokenService>(_ => Clients.Sts(emulator));
        services.AddThrottledAwsClients(o => FastBackoff(o, AwsServiceKeys.SimpleEmail, retries: 1)).MapServiceId("STS", AwsServiceKeys.SimpleEmail);
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(
            () => provider.GetRequiredService<IAmazonSecurityTokenService>().GetCallerIdentityAsync(new GetCallerIdentityRequest()));

        Assert.Equal(2, emulator.Attempts.Count);
    }

    [Fact]
    public async Task Clients_of_services_that_are_not_configured_keep_the_SDK_behaviour()
    {
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { Burst = 0 });
        var services = new ServiceCollection();
        services.AddDefaultAWSOptions(Clients.AwsOptions(emulator, maxErrorRetry: 2));
        services.AddAWSService<IAmazonSimpleSystemsManagement>();
        services.AddThrottledAwsClients().MapServiceId("STS", AwsServiceKeys.SimpleEmail);
        await using var provider = services.BuildServiceProvider();

        await Assert.ThrowsAsync<AmazonSimpleSystemsManagementException>(
            () => provider.GetRequiredService<IAmazonSimpleSystemsManagement>().GetParameterAsync(new GetParameterRequest { Name = "p" }));

        // SSM is not mapped to any service here, so the SDK's own MaxErrorRetry = 2 applies: 3 attempts.
        Assert.Equal(3, emulator.Attempts.Count);
    }

    private static void FastBackoff(AwsThrottlingOptions options, string serviceKey, int retries)
    {
        var backoff = options.Services[serviceKey].Backoff;
        backoff.MaxRetries = retries;
        backoff.MinDelay = TimeSpan.FromMilliseconds(1);
        backoff.MaxDelay = TimeSpan.FromMilliseconds(10);
    }

    private static ServiceProvider BuildProvider(SesEmulator emulator, Action<AwsThrottlingOptions>? configure = null, int? maxErrorRetry = null, TimeSpan? timeout = null)
    {
        var services = new ServiceCollection();
        services.AddDefaultAWSOptions(Clients.AwsOptions(emulator, maxErrorRetry, timeout));
        services.AddAWSService<IAmazonSecurityTokenService>();
        services.AddAWSService<IAmazonSimpleSystemsManagement>();
        // STS stands for SES, its GetCallerIdentity for a send; SSM stands for Connect Campaigns.
        services.AddThrottledAwsClients(options => configure?.Invoke(options))
            .MapServiceId("STS", AwsServiceKeys.SimpleEmail)
            .MapServiceId("SSM", AwsServiceKeys.ConnectCampaigns);
        return services.BuildServiceProvider(validateScopes: true);
    }
}
