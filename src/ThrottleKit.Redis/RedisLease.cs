using System;
using System.Collections.Generic;
using System.Threading.RateLimiting;

namespace ThrottleKit.Redis;

/// <summary>A lease from the shared bucket: granted (nothing to give back, the bucket refills by time), or refused with when to retry.</summary>
internal sealed class RedisLease : RateLimitLease
{
    private readonly TimeSpan? _retryAfter;
    private readonly string? _reason;

    private RedisLease(bool acquired, TimeSpan? retryAfter, string? reason)
    {
        IsAcquired = acquired;
        _retryAfter = retryAfter;
        _reason = reason;
    }

    /// <summary>Gets the one granted lease; it holds nothing, so every grant may share it.</summary>
    public static RedisLease Granted { get; } = new(true, null, null);

    public override bool IsAcquired { get; }

    public override IEnumerable<string> MetadataNames => IsAcquired ? [] : [MetadataName.RetryAfter.Name, MetadataName.ReasonPhrase.Name];

    /// <summary>A refusal: the turn Redis offered is further away than the queue limit lets the caller wait.</summary>
    public static RedisLease Refused(TimeSpan retryAfter, int permitCount)
        => new(false, retryAfter, $"{permitCount} permit(s) would wait {retryAfter.TotalMilliseconds:0} ms, past the queue limit.");

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        metadata = metadataName == MetadataName.RetryAfter.Name ? _retryAfter
            : metadataName == MetadataName.ReasonPhrase.Name ? _reason
            : null;
        return metadata is not null;
    }
}
