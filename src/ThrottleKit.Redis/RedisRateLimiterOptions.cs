using System;
using ThrottleKit.Internal;

namespace ThrottleKit.Redis;

/// <summary>Settings of a <see cref="RedisGcraRateLimiter"/>. Bindable from configuration.</summary>
public sealed class RedisRateLimiterOptions
{
    /// <summary>
    /// Gets or sets the prefix of every key; the bucket <c>SES:us-east-1:…</c> is <c>{prefix}:{SES:us-east-1:…}</c>. Default
    /// <c>throttlekit</c>; 1 to 128 characters, none of them a brace (braces mark Redis Cluster's hash tag), a space or a control character.
    /// </summary>
    [RedisKeyPart]
    public string KeyPrefix { get; set; } = "throttlekit";

    /// <summary>Gets or sets what happens while Redis cannot be reached. Default <see cref="RedisFailurePolicy.FailOpen"/>.</summary>
    [DefinedEnum]
    public RedisFailurePolicy FailurePolicy { get; set; } = RedisFailurePolicy.FailOpen;

    /// <summary>
    /// Gets or sets how many processes share the quota. While Redis is down and <see cref="FailurePolicy"/> is
    /// <see cref="RedisFailurePolicy.FailOpen"/>, each process limits itself to the rate divided by this. Default 1; up to 10 000.
    /// </summary>
    [NumberRange(1, 10_000)]
    public int ExpectedInstances { get; set; } = 1;

    /// <summary>
    /// Gets or sets whether the script reads the time from Redis (<c>TIME</c>), one clock for the whole fleet. Set it off for
    /// a managed Redis that forbids <c>TIME</c> in scripts: each process then sends its own clock, which must be kept in sync
    /// (NTP), as any skew between processes shifts their share. Default on.
    /// </summary>
    public bool UseRedisTime { get; set; } = true;

    /// <summary>Gets or sets how long a bucket's key outlives the moment the bucket is full again, so idle buckets vanish. Default one minute; between one second and one day.</summary>
    [DurationRange(minimum: "00:00:01")]
    public TimeSpan KeyExpiry { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Gets or sets how often, while Redis cannot be reached, a single probe checks it; the limiters follow
    /// <see cref="FailurePolicy"/> without asking Redis until a probe finds it answering. Default one second; between 10 ms and ten minutes.
    /// </summary>
    [DurationRange(minimum: "00:00:00.010", maximum: "00:10:00")]
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets the longest a caller waits on Redis for one acquire (and a probe for its answer), on the system clock. Past
    /// it Redis is taken as unreachable: the call follows <see cref="FailurePolicy"/> at once (the local fallback, or
    /// <see cref="RedisUnavailableException"/>), as do the calls after it until a probe finds Redis answering. A Redis slower
    /// than this is treated as down. Default 50 ms; between 1 ms and 10 s.
    /// </summary>
    [DurationRange(minimum: "00:00:00.001", maximum: "00:00:10")]
    public TimeSpan AcquireTimeout { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Gets or sets, to lease permits instead of asking Redis for each, how long a lease lasts: each process then takes about
    /// a lease period of its demand in one round trip (at most the bucket's burst) and grants it locally
    /// (<see cref="LeasingRateLimiter"/>), giving back what is left when the lease expires. The fleet may then put up to
    /// <c>rate · LeasePeriod</c> more into a window than the bucket's bound (the lease allowance). During an outage a process
    /// spends the lease in hand, and its fallback starts one lease period after the outage began, once that lease has expired.
    /// Default <see langword="null"/>: one round trip a permit, no allowance.
    /// Between 10 ms and 10 s.
    /// </summary>
    [DurationRange(minimum: "00:00:00.010", maximum: "00:00:10")]
    public TimeSpan? LeasePeriod { get; set; }
}
