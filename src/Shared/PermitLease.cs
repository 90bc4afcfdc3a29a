using System;
using System.Collections.Generic;
using System.Threading.RateLimiting;

namespace ThrottleKit.Internal;

/// <summary>
/// The outcome of an acquire from one of ThrottleKit's limiters: granted (one shared instance; a bucket refills by time, so
/// there is nothing to give back), or rejected with when to retry and why.
/// </summary>
internal sealed class PermitLease : RateLimitLease
{
    private static readonly string[] NoMetadata = [];
    private static readonly string[] RejectionMetadata = [MetadataName.RetryAfter.Name, MetadataName.ReasonPhrase.Name];

    public static readonly PermitLease Granted = new(isAcquired: true, TimeSpan.Zero, reason: null);

    private readonly TimeSpan _retryAfter;
    private readonly string? _reason;

    private PermitLease(bool isAcquired, TimeSpan retryAfter, string? reason)
    {
        IsAcquired = isAcquired;
        _retryAfter = retryAfter;
        _reason = reason;
    }

    public override bool IsAcquired { get; }

    public override IEnumerable<string> MetadataNames => IsAcquired ? NoMetadata : RejectionMetadata;

    public static PermitLease Rejected(TimeSpan retryAfter, string reason) => new(isAcquired: false, retryAfter, reason);

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
