using System;

namespace ThrottleKit.Aws;

/// <summary>
/// What every service's buckets take from the container's settings: the account for credentials that name none, the Region
/// the keyed executors spend, and how long an unused bucket is kept.
/// </summary>
internal sealed record AwsBucketSettings(string? AccountId, string? Region, TimeSpan IdleTimeout)
{
    public static AwsBucketSettings From(AwsThrottlingOptions options) => new(options.AccountId, options.Region, options.IdleBucketTimeout);
}
