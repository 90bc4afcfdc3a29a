using System;
using System.Collections.Generic;
using System.Threading.RateLimiting;
using Amazon.Runtime;
using ThrottleKit.Adaptive;
using ThrottleKit.Aws.Internal;
using ThrottleKit.Execution;
using ThrottleKit.Quota;
using ThrottleKit.RateLimiting;
using ThrottleKit.Telemetry;
using TokenBucketRateLimiter = ThrottleKit.RateLimiting.TokenBucketRateLimiter;

namespace ThrottleKit.Aws.DependencyInjection;

/// <summary>The live throttling of one service in one container: its limiters and the executors over them.</summary>
internal sealed class ServiceThrottle : IDisposable
{
    private readonly List<RateLimiter> _limiters = [];
    private readonly Dictionary<string, ThrottledExecutor> _operations = new(StringComparer.Ordinal);
    private readonly ThrottledExecutor _unlimited;
    private readonly AccountQuotaMonitor? _accountQuota;

    public ServiceThrottle(string key, AwsServiceThrottlingOptions options, AwsThrottlingRules rules, TimeProvider timeProvider, Func<string, ThrottleKitTelemetry> telemetry, IServiceProvider? services, IServiceRateLimiterFactory? limiterFactory)
    {
        Key = key;
        Rules = rules;
        MaxAttempts = options.Backoff.MaxRetries + 1;
        var serviceTelemetry = telemetry(key);
        var bucket = limiterFactory?.Create(key, options.RateLimit, timeProvider, serviceTelemetry) ?? new TokenBucketRateLimiter(options.RateLimit, timeProvider);
        var serviceLimiter = options.Adaptive.Enabled ? AdaptiveRateLimiter.Over(bucket, options.Adaptive, timeProvider, serviceTelemetry) : bucket;
        if (options.GetAccountQuotaSource() is { } source && services is not null)
        {
            _accountQuota = new AccountQuotaMonitor(ct => source(services, ct), options.AccountQuota, RateSetter(serviceLimiter), timeProvider, serviceTelemetry);
        }

        Executor = new ThrottledExecutor(Track(serviceLimiter), options.Backoff, rules.Classifier, timeProvider, serviceTelemetry, _accountQuota);
        foreach (var operation in options.Operations)
        {
            // Tagged "SES:GetSendQuota": an operation's own bucket must not report its rate as the service's.
            _operations[operation.Key] = new ThrottledExecutor(
                Track(new TokenBucketRateLimiter(operation.Value, timeProvider)),
                options.Backoff,
                rules.Classifier,
                timeProvider,
                telemetry($"{key}:{operation.Key}"),
                rules.UsesServiceRate(operation.Key) ? _accountQuota : null);
        }

        _unlimited = new ThrottledExecutor(Track(new UnlimitedRateLimiter()), options.Backoff, rules.Classifier, timeProvider, serviceTelemetry);
    }

    public string Key { get; }

    public AwsThrottlingRules Rules { get; }

    /// <summary>Gets the most HTTP attempts one call makes.</summary>
    public int MaxAttempts { get; }

    /// <summary>Gets the executor over the service's shared rate.</summary>
    public ThrottledExecutor Executor { get; }

    /// <summary>The executor a request goes through, and what it costs there.</summary>
    public (IThrottledExecutor Executor, int Cost) Route(AmazonWebServiceRequest request)
    {
        var operation = AwsThrottlingRules.OperationName(request);
        if (_operations.TryGetValue(operation, out var own))
        {
            return (own, Rules.Cost(request));
        }

        return Rules.UsesServiceRate(operation) ? (Executor, Rules.Cost(request)) : (_unlimited, 1);
    }

    /// <summary>Whether <paramref name="executor"/> is one of this service's executors.</summary>
    public bool Owns(ThrottledExecutor executor)
        => ReferenceEquals(executor, Executor) || ReferenceEquals(executor, _unlimited) || _operations.ContainsValue(executor);

    public void Dispose()
    {
        _accountQuota?.Dispose();
        Executor.Dispose();
        _unlimited.Dispose();
        foreach (var executor in _operations.Values)
        {
            executor.Dispose();
        }

        foreach (var limiter in _limiters)
        {
            limiter.Dispose();
        }
    }

    private static Action<double>? RateSetter(RateLimiter limiter) => limiter switch
    {
        AdaptiveRateLimiter adaptive => adaptive.SetMaxRate,
        IAdjustableRateLimiter adjustable => adjustable.SetRate,
        _ => null,
    };

    private RateLimiter Track(RateLimiter limiter)
    {
        _limiters.Add(limiter);
        return limiter;
    }
}
