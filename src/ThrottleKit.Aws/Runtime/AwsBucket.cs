using System;
using System.Collections.Generic;
using System.Threading.RateLimiting;
using Polly;

namespace ThrottleKit.Aws;

/// <summary>One bucket of one service in one container: its limiter, and the throttling pipeline every call through it runs.</summary>
internal sealed class AwsBucket : IDisposable
{
    private readonly RateLimiter _limiter;
    private readonly AccountQuotaMonitor? _accountQuota;
    private readonly TimeProvider _timeProvider;
    private readonly bool _ownsLimiter;
    private volatile Built _built = null!;

    public AwsBucket(AwsPartition partition, RateLimiter limiter, bool ownsLimiter, AccountQuotaMonitor? accountQuota, ThrottleKitTelemetry telemetry, TimeProvider timeProvider)
    {
        Partition = partition;
        _limiter = limiter;
        _ownsLimiter = ownsLimiter;
        _accountQuota = accountQuota;
        Telemetry = telemetry;
        _timeProvider = timeProvider;
    }

    public AwsPartition Partition { get; }

    public RateLimiter Limiter => _limiter;

    public ThrottleKitTelemetry Telemetry { get; }

    public ResiliencePipeline Pipeline => _built.Pipeline;

    public int MaxAttempts => _built.MaxAttempts;

    /// <summary>(Re)builds the pipeline over the same limiter: a configuration change keeps the bucket's state.</summary>
    public void Build(IThrottlingClassifier classifier, ExponentialBackoffOptions backoff)
    {
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _timeProvider, Name = "ThrottleKit", InstanceName = Partition.BucketName }
            .AddThrottling(new ThrottlingStrategyOptions
            {
                RateLimiter = _limiter,
                Classifier = classifier,
                Backoff = backoff,
                AccountQuota = _accountQuota,
                Telemetry = Telemetry,
            })
            .Build();
        _built = new Built(pipeline, backoff.MaxRetries + 1);
    }

    public void Dispose()
    {
        _accountQuota?.Dispose();
        if (_ownsLimiter)
        {
            _limiter.Dispose();
        }
    }

    /// <summary>The read-out of this bucket for <see cref="AwsThrottlingState"/>.</summary>
    public AwsBucketState Read()
    {
        var statistics = _limiter.GetStatistics();
        return new AwsBucketState(
            Partition.ServiceKey,
            Partition.Region,
            Partition.Account,
            Partition.Operation.Length == 0 ? null : Partition.Operation,
            (_limiter as IAdjustableRateLimiter)?.PermitsPerSecond,
            statistics?.CurrentAvailablePermits,
            statistics?.CurrentQueuedCount ?? 0);
    }

    private sealed record Built(ResiliencePipeline Pipeline, int MaxAttempts);
}
