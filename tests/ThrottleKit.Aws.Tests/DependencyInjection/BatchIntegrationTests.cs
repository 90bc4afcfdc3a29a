using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.DependencyInjection;
using ThrottleKit.Aws.DependencyInjection;
using ThrottleKit.Aws.Tests.Support;
using ThrottleKit.Batching;
using ThrottleKit.Emulator;
using ThrottleKit.Execution;
using TokenBucketRateLimiter = ThrottleKit.RateLimiting.TokenBucketRateLimiter;

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
        await using var emulator = await AwsThrottlingEmulator.StartAsync(new EmulatorOptions { RatePerSecond = 40, Burst = 20 });
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

    [Fact]
    public async Task A_throttled_client_called_inside_its_services_executor_takes_its_permits_once()
    {
        await using var emulator = await AwsThrottlingEmulator.StartAsync(new EmulatorOptions { RatePerSecond = 1000, Burst = 1000 });
        await using var provider = BuildProvider(emulator, clientRate: 50);
        var sts = provider.GetRequiredService<IAmazonSecurityTokenService>();
        var executor = (ThrottledExecutor)provider.GetRequiredKeyedService<IThrottledExecutor>(AwsServiceKeys.SimpleEmail);

        await executor.ExecuteAsync(ct => sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), ct), cost: 2);
        await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());

        var limiter = Assert.IsType<TokenBucketRateLimiter>(executor.RateLimiter);
        Assert.Equal(2, limiter.GetStatistics()!.TotalSuccessfulLeases);
        Assert.Equal(2, emulator.Attempts.Count);
    }

    private static ServiceProvider BuildProvider(AwsThrottlingEmulator emulator, double clientRate) => Containers.Build(emulator, options =>
    {
        options.Services[AwsServiceKeys.SimpleEmail].RateLimit.PermitsPerSecond = clientRate;
        options.Services[AwsServiceKeys.ConnectCampaigns].RateLimit.PermitsPerSecond = clientRate;
    });
}
