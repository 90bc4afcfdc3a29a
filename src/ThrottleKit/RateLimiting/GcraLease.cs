using System;
using System.Collections.Generic;
using System.Threading.RateLimiting;

namespace ThrottleKit;

/// <summary>The outcome of an acquire. Granted leases are one shared instance: there is nothing to give back.</summary>
internal sealed class GcraLease : RateLimitLease
{
    private static readonly string[] NoMetadata = [];
    private static readonly string[] RejectionMetadata = [MetadataName.RetryAfter.Name, MetadataName.ReasonPhrase.Name];

    public static readonly GcraLease Granted = new(isAcquired: true, TimeSpan.Zero, reason: null);

    private readonly TimeSpan _retryAfter;
    private readonly string? _reason;

    private GcraLease(bool isAcquired, TimeSpan retryAfter, string? reason)
    {
        IsAcquired = isAcquired;
        _retryAfter = retryAfter;
        _reason = reason;
    }

    public override bool IsAcquired { get; }

    public override IEnumerable<string> MetadataNames => IsAcquired ? NoMetadata : RejectionMetadata;

    public static GcraLease Rejected(TimeSpan retryAfter, string reason) => new(isAcquired: false, retryAfter, reason);

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        if (!IsAcquired && metadataName == MetadataName.RetryAfter.Name)
        {
            metadata = _retryAfter;
            return true;
        }

        if (!IsAcquired && metadataName == MetadataName.ReasonPhrase.Name)
        {
            metadata = _reason;
            return true;
        }

        metadata = null;
        return false;
    }
}
