using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.DependencyInjection;
using ThrottleKit.Aws;
using ThrottleKit.Aws.Tests.Support;
using ThrottleKit;
using ThrottleKit.Testing;

namespace ThrottleKit.Aws.Tests.DependencyInjection;

/// <summary>
/// <c>ExecuteBatchAsync</c> with a real SDK client from the container against the emulator's batch endpoint. The SQS client's
/// <c>SendMessageBatch</c> has the shape of Connect Campaigns' <c>PutDialRequestBatch</c>: entries the service could not take
/// come back in <c>Failed</c> with a code, here <c>RequestThrottled</c>, exactly as <c>failedRequests[].failureCode</c>.
/// </summary>
public class BatchIntegrationTests
{
    [Fact]
    public async Task Only_the_throttled_entries_are_resent_until_every_one_is_accepted_exactly_once()
    {
        // The client is allowed far more than the emulator takes, so most batches come back partly throttled.
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { RatePerSecond = 40, Burst = 20 });
        await using var provider = BuildProvider(emulator, clientRate: 1000);
        var sqs = provider.GetRequiredService<IAmazonSQS>();
        var executor = provider.GetRequiredKeyedService<IThrottledExecutor>(AwsServiceKeys.ConnectCampaigns);
        var entries = Enumerable.Range(0, 120).Select(i => new SendMessageBatchRequestEntry($"e{i}", $"dial {i}")).ToList();
        var queueUrl = new Uri(emulator.Endpoint, "123456789012/dials").ToString();

        var results = await executor.ExecuteBatchAsync(
            entries,
            maxBatchSize: 10,
            (batch, ct) => sqs.SendMessageBatchAsync(new SendMessageBatchRequest(queueUrl, [.. batch]), ct),
            (response, batch) =>
            {
                var failed = (response.Failed ?? []).ToDictionary(f => f.Id, f => f.Code, StringComparer.Ordinal);
                return [.. batch.Select(e => failed.TryGetValue(e.Id, out var code)
                    ? code == "RequestThrottled" ? BatchItemOutcome.Throttled(code) : BatchItemOutcome.Failed(code)
                    : BatchItemOutcome.Succeeded())];
            });

        var attempts = emulator.Attempts.Where(a => a.Item is not null).ToList();
        Assert.Contains(attempts, a => a.Outcome == EmulatorOutcome.Throttled);
        Assert.All(results, r => Assert.Equal(BatchItemStatus.Succeeded, r.Status));
        foreach (var entry in entries)
        {
            var mine = attempts.Where(a => a.Item == entry.Id).ToList();
            Assert.Equal(1, mine.Count(a => a.Outcome == EmulatorOutcome.Accepted));
            Assert.Equal(EmulatorOutcome.Accepted, mine[^1].Outcome);   // never sent again once accepted
            Assert.Equal(mine.Count, results.Single(r => r.Item == entry).Attempts);
        }

        // The client inside the executor steps aside: one HTTP attempt per SDK call, never a second layer of retries.
        Assert.All(attempts.GroupBy(a => a.InvocationId), call => Assert.True(call.Select(a => a.At).Distinct().Count() == 1));
    }

    [Theory]
    [InlineData(AwsServiceKeys.SimpleEmail)]
    [InlineData(AwsServiceKeys.ConnectCampaigns)]
    public async Task A_wrapped_client_called_inside_an_executor_never_multiplies_attempts(string executorService)
    {
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { Burst = 0 });
        await using var provider = Containers.Build(emulator, options =>
        {
            foreach (var service in options.Services.Values)
            {
                service.Backoff = new() { MaxRetries = 2, MinDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) };
            }
        });
        var sts = provider.GetRequiredService<IAmazonSecurityTokenService>();
        var executor = provider.GetRequiredKeyedService<IThrottledExecutor>(executorService);

        await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => executor.ExecuteAsync(ct => sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), ct)));

        // The client retried its throttle as far as its service allows (MaxRetries + 1 attempts); the executor around it
        // passes that verdict on instead of retrying it again.
        Assert.Equal(3, emulator.Attempts.Count);
    }

    [Fact]
    [Trait("Category", RealClock.Category)]
    public async Task Calls_made_inside_an_attempt_even_from_Task_Run_take_their_permits_as_any_other_call()
    {
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { RatePerSecond = 1000, Burst = 1000 });
        await using var provider = Containers.Build(emulator, options => options.Services[AwsServiceKeys.SimpleEmail].RateLimit = new() { PermitsPerSecond = 2, Burst = 1 });
        var sts = provider.GetRequiredService<IAmazonSecurityTokenService>();
        var executor = provider.GetRequiredKeyedService<IThrottledExecutor>(AwsServiceKeys.SimpleEmail);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        await executor.ExecuteAsync(async ct =>
        {
            for (var i = 0; i < 5; i++)
            {
                await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), ct);
            }

            await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Task.Run(() => sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), ct), ct)));
        });
        var elapsed = clock.Elapsed;

        // Ten calls at 2/s with a burst of 1 (and the 25 ms jitter allowance on each interval) cannot take less than 4.5 s.
        Assert.Equal(10, emulator.Attempts.Count);
        Assert.True(elapsed >= TimeSpan.FromSeconds(4.5), $"Ten calls at 2/s took {elapsed.TotalSeconds:0.000} s. {emulator.Describe()}");
        var sent = emulator.BusiestWindowOfAttempts(TimeSpan.FromSeconds(2));
        var bound = RealClock.WindowBound(1, 2, TimeSpan.FromSeconds(2), RealClock.LateTimestampAllowance(emulator.SchedulingLag()));
        Assert.True(sent.Count <= bound, $"Sent {sent}, bound {bound:0.0}. {emulator.Describe()}");
    }

    private static ServiceProvider BuildProvider(SesEmulator emulator, double clientRate) => Containers.Build(emulator, options =>
    {
        options.Services[AwsServiceKeys.SimpleEmail].RateLimit.PermitsPerSecond = clientRate;
        options.Services[AwsServiceKeys.ConnectCampaigns].RateLimit.PermitsPerSecond = clientRate;
    });
}
