using System;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Polly;
using Polly.RateLimiting;
using Polly.Telemetry;
using ThrottleKit.Internal;

namespace ThrottleKit;

/// <summary>
/// The throttling strategy: each attempt takes its permits, then runs; a throttle is retried after the capped exponential
/// backoff, and every other outcome is returned as it is. Its decisions are the ones <see cref="ThrottledExecutor"/> and the
/// AWS clients' handler make, because they run through it.
/// </summary>
internal sealed class ThrottlingResilienceStrategy : ResilienceStrategy
{
    private static readonly ResilienceEvent OnThrottleEvent = new(ResilienceEventSeverity.Warning, "OnThrottle");
    private static readonly ResilienceEvent ExhaustedEvent = new(ResilienceEventSeverity.Error, "OnThrottleRetriesExhausted");
    private static readonly ResilienceEvent RejectedEvent = new(ResilienceEventSeverity.Error, "OnRateLimiterRejected");

    private readonly ThrottlingBucket? _ownBucket;
    private readonly Func<ThrottlingBucketArguments, ThrottlingBucket?>? _bucketSelector;
    private readonly IThrottlingClassifier _classifier;
    private readonly Func<ThrottlingResultArguments, ResultThrottle>? _resultClassifier;
    private readonly Func<Exception, TimeSpan?>? _retryAfterOf;
    private readonly TimeSpan _maxRetryAfter;
    private readonly Func<OnThrottleArguments, ValueTask>? _onThrottle;
    private readonly ExponentialBackoff _backoff;
    private readonly ResilienceStrategyTelemetry _pollyTelemetry;
    private readonly TimeProvider _timeProvider;
    private readonly Random _random = new();

    public ThrottlingResilienceStrategy(ThrottlingStrategyOptions options, TimeProvider timeProvider, ResilienceStrategyTelemetry pollyTelemetry)
    {
        _ownBucket = options.RateLimiter is { } limiter ? new ThrottlingBucket(limiter, options.DailyQuota, options.Telemetry) : null;
        _bucketSelector = options.BucketSelector;
        _classifier = options.Classifier!;
        _resultClassifier = options.ResultClassifier;
        _retryAfterOf = options.RetryAfter;
        _maxRetryAfter = options.MaxRetryAfter;
        _onThrottle = options.OnThrottle;
        _backoff = new ExponentialBackoff(options.Backoff);
        _pollyTelemetry = pollyTelemetry;
        _timeProvider = timeProvider;
        _ownBucket?.Telemetry.TrackRate(_ownBucket.RateLimiter);
    }

    public ExponentialBackoff Backoff => _backoff;

    protected override async ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
    {
        if (Begin(context, out var target, out var cost, out var reserved) is { } refusal)
        {
            return Outcome.FromException<TResult>(refusal);
        }

        // Read once a call: the priority is the call's, and the lookup would otherwise be paid on every attempt.
        RequestPriority? priority = context.Properties.TryGetValue(ThrottlingProperties.Priority, out var named) ? named : null;
        var succeeded = false;
        try
        {
            var previousDelay = TimeSpan.Zero;
            for (var attempt = 0; ; attempt++)
            {
                // The service asked every caller of this quota to wait (Retry-After): no permit is taken meanwhile.
                if (await WaitOutPauseAsync(target, context.CancellationToken).ConfigureAwait(false) is { } canceledBefore)
                {
                    return Outcome.FromException<TResult>(canceledBefore);
                }

                RateLimitLease lease;
                try
                {
                    lease = await AcquireAsync(target, cost, context, priority).ConfigureAwait(false);
                }
                catch (Exception acquireError)
                {
                    return Outcome.FromException<TResult>(acquireError);
                }

                Outcome<TResult> outcome;
                long marksBefore;
                using (lease)
                {
                    if (!lease.IsAcquired)
                    {
                        return Rejected<TResult>(target, lease, context);
                    }

                    // A pause that began while this call waited for its permit: the permit is kept meanwhile.
                    if (await WaitOutPauseAsync(target, context.CancellationToken).ConfigureAwait(false) is { } canceled)
                    {
                        return Outcome.FromException<TResult>(canceled);
                    }

                    marksBefore = HandledFailures.LastMark;
                    outcome = await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
                }

                TimeSpan? retryAfter = null;
                if (outcome.Exception is null)
                {
                    var verdict = ClassifyResult(outcome, context, target.Telemetry);
                    if (!verdict.IsThrottle)
                    {
                        target.Feedback?.OnAccepted(cost);
                        succeeded = true;
                        return outcome;
                    }

                    retryAfter = verdict.RetryAfter;
                }

                if (!ShouldRetry(outcome, attempt, marksBefore, target, context, out var classification))
                {
                    return outcome;
                }

                if (outcome.Exception is { } thrown && classification == ThrottlingClassification.Retriable)
                {
                    retryAfter = RetryAfterOf(thrown);
                }

                var delay = NextDelay(attempt, previousDelay);
                previousDelay = delay;
                if (retryAfter is { } asked && _maxRetryAfter > TimeSpan.Zero)
                {
                    var honoured = asked < _maxRetryAfter ? asked : _maxRetryAfter;
                    target.PauseFor(honoured, _timeProvider);
                    delay = honoured > delay ? honoured : delay;
                }

                if (await ReportRetryAsync(target, outcome, context, attempt, delay, classification).ConfigureAwait(context.ContinueOnCapturedContext) is { } callbackError)
                {
                    return Outcome.FromException<TResult>(callbackError);
                }

                try
                {
                    await TimeProviderDelay.Wait(_timeProvider, delay, context.CancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException canceled)
                {
                    return Outcome.FromException<TResult>(canceled);
                }
            }
        }
        finally
        {
            if (reserved)
            {
                target.DailyQuota!.Complete(cost, succeeded);
            }
        }
    }

    /// <summary>
    /// What a call is throttled against and what each attempt costs, with its permits counted against the account's quota;
    /// or why it cannot be sent at all (no bucket, a negative cost, the quota spent, a selector that threw).
    /// </summary>
    private Exception? Begin(ResilienceContext context, out ThrottlingBucket target, out int cost, out bool reserved)
    {
        target = null!;
        cost = 0;
        reserved = false;
        try
        {
            if ((_bucketSelector?.Invoke(new ThrottlingBucketArguments(context)) ?? _ownBucket) is not { } picked)
            {
                return new InvalidOperationException("The throttling strategy's BucketSelector picked no bucket for the call, and its options have no RateLimiter of their own. The call was not sent.");
            }

            target = picked;
        }
        catch (Exception selectorError)
        {
            return selectorError;
        }

        cost = context.Properties.GetValue(ThrottlingProperties.Cost, 1);
        if (cost < 0)
        {
#pragma warning disable CA2208 // The cost comes through the context's properties; the property's name is the one to report.
            return new ArgumentOutOfRangeException(nameof(ThrottlingProperties.Cost), cost, "The cost of a call must not be negative.");
#pragma warning restore CA2208
        }

        try
        {
            reserved = target.DailyQuota?.Reserve(cost) == true;
            return null;
        }
        catch (DailyQuotaExceededException refused)
        {
            return refused;
        }
    }

    /// <summary>
    /// Whether a failed attempt is tried again: a throttle (or an attempt that never left) with retries left. Every other
    /// failure is returned as it is, and marked as dealt with so that an outer ThrottleKit layer does not retry it too.
    /// </summary>
    private bool ShouldRetry<TResult>(Outcome<TResult> outcome, int attempt, long marksBefore, ThrottlingBucket target, ResilienceContext context, out ThrottlingClassification classification)
    {
        // A result comes here only when the result classifier called it a throttle.
        var error = outcome.Exception;
        classification = ThrottlingClassification.Retriable;
        if (error is not null)
        {
            // The caller's own cancellation, and a failure an inner ThrottleKit layer has already dealt with in this attempt
            // (so that layers never multiply attempts), pass through as they are.
            if ((error is OperationCanceledException && context.CancellationToken.IsCancellationRequested) || HandledFailures.IsHandled(error, marksBefore))
            {
                classification = ThrottlingClassification.Unknown;
                return false;
            }

            classification = Classify(error, target.Telemetry);
            if (classification is not (ThrottlingClassification.Retriable or ThrottlingClassification.Unsent))
            {
                ThrottleKitLog.TerminalFailure(target.Telemetry, error);
                HandledFailures.Mark(error);
                return false;
            }
        }

        var what = error?.GetType().Name ?? HttpThrottling.Describe(outcome.Result);

        var throttled = classification == ThrottlingClassification.Retriable;
        if (throttled)
        {
            target.Feedback?.OnThrottled();
            target.Telemetry.Metrics?.Throttles.Add(1, target.Telemetry.Tags);
            ThrottleKitLog.ThrottleSeen(target.Telemetry, attempt + 1, what);
        }

        if (attempt >= _backoff.MaxRetries)
        {
            if (throttled)
            {
                target.Telemetry.Metrics?.Exhausted.Add(1, target.Telemetry.Tags);
                ThrottleKitLog.RetriesExhausted(target.Telemetry, attempt + 1, what);
                _pollyTelemetry.Report(ExhaustedEvent, context, outcome, new OnThrottleArguments(attempt, TimeSpan.Zero, classification, context, outcome.Exception, outcome.Result));
            }

            if (error is not null)
            {
                HandledFailures.Mark(error);
            }

            return false;
        }

        if (!throttled)
        {
            ThrottleKitLog.UnsentRetry(target.Telemetry, attempt + 1, what);
        }

        return true;
    }

    /// <summary>
    /// Tells everyone who listens that a throttled attempt is retried after <paramref name="delay"/> (the metrics, the log,
    /// Polly's telemetry, then the app's <see cref="ThrottlingStrategyOptions.OnThrottle"/>), then disposes the throttled
    /// result, which is not the caller's any more (Polly's retry does the same with what it discards). Returns what the
    /// callback threw, which ends the call.
    /// </summary>
    private async ValueTask<Exception?> ReportRetryAsync<TResult>(ThrottlingBucket target, Outcome<TResult> outcome, ResilienceContext context, int attempt, TimeSpan delay, ThrottlingClassification classification)
    {
        target.Telemetry.Metrics?.Retries.Add(1, target.Telemetry.Tags);
        ThrottleKitLog.RetryScheduled(target.Telemetry.Logger, target.Telemetry.ServiceName, attempt + 1, _backoff.MaxRetries, delay.TotalMilliseconds);
        var throttle = new OnThrottleArguments(attempt, delay, classification, context, outcome.Exception, outcome.Result);
        _pollyTelemetry.Report(OnThrottleEvent, context, outcome, throttle);
        try
        {
            if (_onThrottle is not null)
            {
                await _onThrottle(throttle).ConfigureAwait(context.ContinueOnCapturedContext);
            }

            return null;
        }
        catch (Exception callbackError)
        {
            return callbackError;
        }
        finally
        {
            (outcome.Result as IDisposable)?.Dispose();
        }
    }

    /// <summary>Waits until the bucket's Retry-After pause, if any, is over; returns the cancellation that cut it short.</summary>
    private async ValueTask<OperationCanceledException?> WaitOutPauseAsync(ThrottlingBucket target, CancellationToken cancellationToken)
    {
        var pause = target.PauseLeft(_timeProvider);
        if (pause <= TimeSpan.Zero)
        {
            return null;
        }

        try
        {
            await TimeProviderDelay.Wait(_timeProvider, pause, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (OperationCanceledException canceled)
        {
            return canceled;
        }
    }

    /// <summary>What a thrown throttle asked for; a reader that throws says nothing.</summary>
    private TimeSpan? RetryAfterOf(Exception error)
    {
        try
        {
            return _retryAfterOf?.Invoke(error) is { } after && after > TimeSpan.Zero ? after : null;
        }
#pragma warning disable CA1031 // A broken reader must not turn a throttle into a failure: the backoff alone decides then.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    /// <summary>What the result classifier says of a result; one that throws counts as saying "not a throttle", so the result is returned.</summary>
    private ResultThrottle ClassifyResult<TResult>(Outcome<TResult> outcome, ResilienceContext context, ThrottleKitTelemetry telemetry)
    {
        if (_resultClassifier is null)
        {
            return ResultThrottle.None;
        }

        try
        {
            return _resultClassifier(new ThrottlingResultArguments(outcome.Result, context));
        }
        catch (Exception classifierError)
        {
            ThrottleKitLog.ClassifierFailed(telemetry, classifierError, HttpThrottling.Describe(outcome.Result));
            return ResultThrottle.None;
        }
    }

    /// <summary>What the classifier says of a failure; a classifier that throws counts as saying terminal.</summary>
    internal ThrottlingClassification Classify(Exception error) => Classify(error, _ownBucket?.Telemetry ?? ThrottleKitTelemetry.Silent);

    private ThrottlingClassification Classify(Exception error, ThrottleKitTelemetry telemetry)
    {
        try
        {
            return _classifier.Classify(error);
        }
        catch (Exception classifierError)
        {
            ThrottleKitLog.ClassifierFailed(telemetry, classifierError, error.GetType().Name);
            return ThrottlingClassification.Terminal;
        }
    }

    internal TimeSpan NextDelay(int retry, TimeSpan previousDelay)
    {
        double sample;
        lock (_random)
        {
            sample = _random.NextDouble();
        }

        return _backoff.GetDelay(retry, previousDelay, sample);
    }

    private static ValueTask<RateLimitLease> AcquireInScope(ThrottlingBucket target, int cost, ResilienceContext context, RequestPriority? priority)
    {
        if (priority is not { } named)
        {
            return target.RateLimiter.AcquireAsync(cost, context.CancellationToken);
        }

        // The limiter reads the scope when it queues the request, which is within this call: the scope can end at once.
        using (PriorityScope.Enter(named))
        {
            return target.RateLimiter.AcquireAsync(cost, context.CancellationToken);
        }
    }

    private ValueTask<RateLimitLease> AcquireAsync(ThrottlingBucket target, int cost, ResilienceContext context, RequestPriority? named)
    {
        var pending = AcquireInScope(target, cost, context, named);
        if (target.Telemetry.Metrics?.PermitWait is not { Enabled: true } histogram)
        {
            return pending;
        }

        // The wait is tagged with the call's priority (flows are unbounded, so not tags).
        var tags = target.Telemetry.TagsByPriority[(int)(named ?? PriorityScope.Current ?? RequestPriority.Default).Priority];
        if (pending.IsCompleted)
        {
            histogram.Record(0, tags);
            return pending;
        }

        return MeasureWaitAsync(pending, histogram, tags);
    }

    private async ValueTask<RateLimitLease> MeasureWaitAsync(ValueTask<RateLimitLease> pending, System.Diagnostics.Metrics.Histogram<double> histogram, System.Collections.Generic.KeyValuePair<string, object?>[] tags)
    {
        var start = _timeProvider.GetTimestamp();
        try
        {
            return await pending.ConfigureAwait(false);
        }
        finally
        {
            histogram.Record(_timeProvider.GetElapsedTime(start).TotalSeconds, tags);
        }
    }

    private Outcome<TResult> Rejected<TResult>(ThrottlingBucket target, RateLimitLease lease, ResilienceContext context)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan value) ? value : (TimeSpan?)null;
        var reason = lease.TryGetMetadata(MetadataName.ReasonPhrase, out string? phrase) ? phrase : null;
        var message = $"The rate limiter's queue is full{(reason is null ? "." : ": " + reason)}";
        var rejected = retryAfter is { } after ? new RateLimiterRejectedException(message, after) : new RateLimiterRejectedException(message);
        _pollyTelemetry.SetTelemetrySource(rejected);
        _pollyTelemetry.Report(RejectedEvent, context, new OnThrottleArguments(0, retryAfter ?? TimeSpan.Zero, ThrottlingClassification.Unknown, context));
        target.Telemetry.Metrics?.Rejected.Add(1, target.Telemetry.Tags);
        ThrottleKitLog.QueueFull(target.Telemetry, retryAfter?.TotalMilliseconds);
        return Outcome.FromException<TResult>(rejected);
    }
}
