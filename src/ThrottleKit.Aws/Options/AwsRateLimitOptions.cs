using System;

namespace ThrottleKit.Aws;

/// <summary>
/// A bucket of an AWS service: the settings of a <see cref="GcraRateLimiter"/>, with the defaults that suit AWS — a
/// <see cref="GcraRateLimiterOptions.JitterAllowance"/> of <see cref="DefaultJitterAllowance"/>, borrowing allowed, and a bucket
/// that starts empty (<see cref="GcraRateLimiterOptions.StartEmpty"/>: a fresh process at a rate equal to the quota is then
/// not throttled) — the same for a service's bucket, its operations' and its Regions'. Bindable from configuration.
/// </summary>
public sealed class AwsRateLimitOptions : GcraRateLimiterOptions
{
    /// <summary>
    /// The default jitter allowance: requests to AWS vary in transit time, and at a rate equal to the quota a request that
    /// travels faster than the one before it would otherwise be throttled. 25 ms covers the variation within a Region (10 ms
    /// sufficed on loopback, where 0 ms still let about one request in 150 through early).
    /// </summary>
    public static readonly TimeSpan DefaultJitterAllowance = TimeSpan.FromMilliseconds(25);

    /// <summary>Creates settings with AWS's defaults: no rate yet, a 25 ms jitter allowance, borrowing allowed, starting empty.</summary>
    public AwsRateLimitOptions()
    {
        JitterAllowance = DefaultJitterAllowance;
        AllowBorrowing = true;
        StartEmpty = true;
    }

    /// <inheritdoc />
    public override double PermitsPerSecond
    {
        get => base.PermitsPerSecond;
        set
        {
            base.PermitsPerSecond = value;
            IsRateSet = true;
        }
    }

    /// <summary>
    /// Gets or sets whether <see cref="PermitsPerSecond"/> was set by the user (code or configuration) rather than left at a
    /// default that ThrottleKit put there: a rate read from the account is capped only by a rate the user chose.
    /// </summary>
    internal bool IsRateSet { get; set; }
}
