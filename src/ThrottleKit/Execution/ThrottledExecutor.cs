using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Polly;
using Polly.RateLimiting;
using Polly.Retry;
using ThrottleKit.Adaptive;
using ThrottleKit.Backoff;
using ThrottleKit.Batching;
using ThrottleKit.Classification;
using ThrottleKit.Internal;
using ThrottleKit.Quota;
using ThrottleKit.RateLimiting;
using ThrottleKit.Telemetry;
using TokenBucketRateLimiter = ThrottleKit.RateLimiting.TokenBucketRateLimiter;

namespace ThrottleKit.Execution;

/// <summary>
/// The standard <see cref="IThrottledExecutor"/>: a Polly <see cref="ResiliencePipeline"/> with a retry strategy
/// (capped exponential backoff, retrying only what the classifier calls retriable) outside a rate limiter strategy
/// (each attempt takes its permits), so retries are rate-limited too.
/// </summary>
[SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Overloads differ in their required parameters' types (options vs. a shared limiter; generic vs. non-generic operation).")]
public sealed class ThrottledExecutor : IThrottledExecutor, IDisposable, IAsyncDisposable
{
    private static readonly ResiliencePropertyKey<int> CostKey = new("ThrottleKit.Cost");
    private static readonly ResiliencePropertyKey<TimeSpan> PreviousDelayKey = new("ThrottleKit.PreviousDelay");
    private static readonly ResiliencePropertyKey<Exception?> LastThrottleKey = new("ThrottleKit.LastThrottle");
    private static readonly AsyncLocal<ThrottledExecutor?> Ambient = new();

    private readonly RateLimiter _rateLimiter;
    private readonly RateLimiter? _ownedRateLimiter;
    private readonly IThrottlingClassifier _classifier;
    private readonly ExponentialBackoff _backoff;
    private readonly Random _random = new();
    private readonly TimeProvider _timeProvider;
    private readonly ThrottleKitTelemetry _telemetry;
    private readonly IDisposable? _rateTracking;
    private readonly IRateFeedback? _feedback;
    private readonly AccountQuotaMonitor? _accountQuota;
    private readonly ResiliencePipeline _pipeline;
    private int _disposed;

    /// <summary>Creates an executor with its own <see cref="TokenBucketRateLimiter"/>, disposed with the executor.</summary>
    /// <param name="options">The rate limit and backoff; validated and copied.</param>
    /// <param name="classifier">Decides which failures are throttles.</param>
    /// <param name="timeProvider">The clock for permits and backoff; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="telemetry">Where to log and measure; nowhere when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the exception names it and its value.</exception>
    public ThrottledExecutor(ThrottledExecutorOptions options, IThrottlingClassifier classifier, TimeProvider? timeProvider = null, ThrottleKitTelemetry? telemetry = null)
        : this(CreateLimiter(options, timeProvider), Guard.NotNull(options, nameof(options)).Backoff, classifier, timeProvider, telemetry, ownsRateLimiter: true)
    {
    }

    /// <summary>Creates an executor over a rate limiter that others may share; the executor does not dispose it.</summary>
    /// <param name="rateLimiter">Any <see cref="RateLimiter"/>: a <see cref="TokenBucketRateLimiter"/>, a distributed one, or one of <c>System.Threading.RateLimiting</c>'s.</param>
    /// <param name="backoff">The retry schedule; validated and copied.</param>
    /// <param name="classifier">Decides which failures are throttles.</param>
    /// <param name="timeProvider">The clock for the backoff; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="telemetry">Where to log and measure; nowhere when <see langword="null"/>.</param>
    /// <param name="accountQuota">
    /// When given, each call is counted against the account's 24-hour quota and refused with
    /// <see cref="DailyQuotaExceededException"/>, unsent, once that is spent. The executor does not dispose it.
    /// </param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A backoff option is out of range; the exception names it and its value.</exception>
    public ThrottledExecutor(RateLimiter rateLimiter, ExponentialBackoffOptions backoff, IThrottlingClassifier classifier, TimeProvider? timeProvider = null, ThrottleKitTelemetry? telemetry = null, AccountQuotaMonitor? accountQuota = null)
        : this(rateLimiter, backoff, classifier, timeProvider, telemetry, ownsRateLimiter: false, accountQuota)
    {
    }

    private ThrottledExecutor(RateLimiter rateLimiter, ExponentialBackoffOptions backoff, IThrottlingClassifier classifier, TimeProvider? timeProvider, ThrottleKitTelemetry? telemetry, bool ownsRateLimiter, AccountQuotaMonitor? accountQuota = null)
    {
        _accountQuota = accountQuota;
        _rateLimiter = Guard.NotNull(rateLimiter, nameof(rateLimiter));
        _ownedRateLimiter = ownsRateLimiter ? rateLimiter : null;
        _backoff = new ExponentialBackoff(Guard.NotNull(backoff, nameof(backoff)));
        _classifier = Guard.NotNull(classifier, nameof(classifier));
        _timeProvider = timeProvider ?? TimeProvider.System;
        _telemetry = telemetry ?? ThrottleKitTelemetry.Silent("default");
        _rateTracking = _telemetry.Metrics?.TrackRate(_telemetry.ServiceName, rateLimiter);
        _feedback = rateLimiter as IRateFeedback;
        _pipeline = BuildPipeline();
    }

    /// <summary>Gets the rate limiter every attempt goes through.</summary>
    public RateLimiter RateLimiter => _rateLimiter;

    /// <summary>Gets the retry schedule.</summary>
    public ExponentialBackoff Backoff => _backoff;

    /// <summary>
    /// Gets the executor whose attempt is running on the current asynchronous flow, or <see langword="null"/>. Lets an inner
    /// layer that would throttle the same call again (a throttled SDK client inside <see cref="ExecuteAsync{T}"/>) step aside.
    /// </summary>
    public static ThrottledExecutor? Current => Ambient.Value;

    internal TimeProvider TimeProvider => _timeProvider;

    /// <inheritdoc />
    public async Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> operation, int cost = 1, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(operation, nameof(operation));
        Guard.NotNegative(cost, nameof(cost));
        ThrowIfDisposed();
        var reserved = _accountQuota?.Reserve(cost) == true;
        var succeeded = false;
        var context = RentContext(cost, cancellationToken);
        try
        {
            var result = _feedback is null
                ? await _pipeline.ExecuteAsync(static (ctx, state) => new ValueTask<T>(state.Executor.RunAttempt(state.Operation, ctx.CancellationToken)), context, (Executor: this, Operation: operation)).ConfigureAwait(false)
                : await _pipeline.ExecuteAsync(
                    static async (ctx, state) =>
                    {
                        var result = await state.Executor.RunAttempt(state.Operation, ctx.CancellationToken).ConfigureAwait(false);
                        state.Feedback.OnAccepted(ctx.Properties.GetValue(CostKey, 1));
                        return result;
                    },
                    context,
                    (Executor: this, Operation: operation, Feedback: _feedback)).ConfigureAwait(false);
            succeeded = true;
            return result;
        }
        catch (Exception error) when (ObserveFailure(error, context))
        {
            throw;
        }
        finally
        {
            Release(reserved, cost, succeeded);
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <inheritdoc />
    public async Task ExecuteAsync(Func<CancellationToken, Task> operation, int cost = 1, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(operation, nameof(operation));
        Guard.NotNegative(cost, nameof(cost));
        ThrowIfDisposed();
        var reserved = _accountQuota?.Reserve(cost) == true;
        var succeeded = false;
        var context = RentContext(cost, cancellationToken);
        try
        {
            if (_feedback is null)
            {
                await _pipeline.ExecuteAsync(static (ctx, state) => new ValueTask(state.Executor.RunAttempt(state.Operation, ctx.CancellationToken)), context, (Executor: this, Operation: operation)).ConfigureAwait(false);
            }
            else
            {
                await _pipeline.ExecuteAsync(
                    static async (ctx, state) =>
                    {
                        await state.Executor.RunAttempt(state.Operation, ctx.CancellationToken).ConfigureAwait(false);
                        state.Feedback.OnAccepted(ctx.Properties.GetValue(CostKey, 1));
                    },
                    context,
                    (Executor: this, Operation: operation, Feedback: _feedback)).ConfigureAwait(false);
            }

            succeeded = true;
        }
        catch (Exception error) when (ObserveFailure(error, context))
        {
            throw;
        }
        finally
        {
            Release(reserved, cost, succeeded);
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<BatchItemResult<TItem>>> ExecuteBatchAsync<TItem, TResponse>(
        IReadOnlyList<TItem> items,
        int maxBatchSize,
        Func<IReadOnlyList<TItem>, CancellationToken, Task<TResponse>> sendBatch,
        Func<TResponse, IReadOnlyList<TItem>, IReadOnlyList<BatchItemOutcome>> readOutcomes,
        Func<TItem, int>? itemCost = null,
        CancellationToken cancellationToken = default)
    {
        Guard.NotNull(items, nameof(items));
        Guard.NotNull(sendBatch, nameof(sendBatch));
        Guard.NotNull(readOutcomes, nameof(readOutcomes));
        if (maxBatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxBatchSize), maxBatchSize, $"{nameof(maxBatchSize)} must be at least 1.");
        }

        ThrowIfDisposed();
        return new BatchRun<TItem, TResponse>(this, items, maxBatchSize, sendBatch, readOutcomes, itemCost, cancellationToken).RunAsync();
    }

    /// <summary>Disposes the rate limiter if this executor created it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _rateTracking?.Dispose();
            _ownedRateLimiter?.Dispose();
        }
    }

    /// <summary>Disposes the rate limiter if this executor created it.</summary>
    /// <returns>A task that completes when disposal is done.</returns>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return default;
        }

        _rateTracking?.Dispose();
        return _ownedRateLimiter?.DisposeAsync() ?? default;
    }

    private static TokenBucketRateLimiter CreateLimiter(ThrottledExecutorOptions options, TimeProvider? timeProvider)
    {
        Guard.NotNull(options, nameof(options)).Validate();
        return new TokenBucketRateLimiter(options.RateLimit, timeProvider);
    }

    private void Release(bool reserved, int cost, bool succeeded)
    {
        if (reserved)
        {
            _accountQuota!.Complete(cost, succeeded);
        }
    }

    private static ResilienceContext RentContext(int cost, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(CostKey, cost);
        return context;
    }

    private ResiliencePipeline BuildPipeline()
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = _timeProvider, Name = "ThrottleKit", InstanceName = _telemetry.ServiceName };
        if (_backoff.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = _backoff.MaxRetries,
                ShouldHandle = args => new ValueTask<bool>(ShouldRetry(args.Outcome.Exception, args.AttemptNumber, args.Context)),
                DelayGenerator = args => new ValueTask<TimeSpan?>(NextDelay(args.AttemptNumber, args.Context)),
                OnRetry = args =>
                {
                    _telemetry.Metrics?.Retries.Add(1, _telemetry.ServiceTag);
                    ThrottleKitLog.RetryScheduled(_telemetry.Logger, _telemetry.ServiceName, args.AttemptNumber + 1, _backoff.MaxRetries, args.RetryDelay.TotalMilliseconds);
                    return default;
                },
            });
        }

        // Inside the retry, so every attempt (retries included) takes its permits.
        return builder
            .AddRateLimiter(new RateLimiterStrategyOptions { RateLimiter = args => AcquirePermitsAsync(args.Context) })
            .Build();
    }

    private ValueTask<RateLimitLease> AcquirePermitsAsync(ResilienceContext context)
    {
        var pending = _rateLimiter.AcquireAsync(context.Properties.GetValue(CostKey, 1), context.CancellationToken);
        var histogram = _telemetry.Metrics?.PermitWait;
        if (histogram is null || !histogram.Enabled)
        {
            return pending;
        }

        if (pending.IsCompleted)
        {
            histogram.Record(0, _telemetry.ServiceTag);
            return pending;
        }

        return MeasureWaitAsync(pending);
    }

    private async ValueTask<RateLimitLease> MeasureWaitAsync(ValueTask<RateLimitLease> pending)
    {
        var start = _timeProvider.GetTimestamp();
        try
        {
            return await pending.ConfigureAwait(false);
        }
        finally
        {
            _telemetry.Metrics!.PermitWait.Record(_timeProvider.GetElapsedTime(start).TotalMilliseconds, _telemetry.ServiceTag);
        }
    }

    private bool IsRetriable(Exception? exception, CancellationToken cancellationToken)
        => exception is not null && !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested) && IsThrottle(exception);

    /// <summary>Polly's retry predicate: called once per failed attempt, the last one included.</summary>
    private bool ShouldRetry(Exception? exception, int attempt, ResilienceContext context)
    {
        if (!IsRetriable(exception, context.CancellationToken))
        {
            return false;
        }

        // Remembered so that, if this throttle is the one the call ends with, it is not classified a second time.
        context.Properties.Set(LastThrottleKey, exception);
        _feedback?.OnThrottled();
        _telemetry.Metrics?.Throttles.Add(1, _telemetry.ServiceTag);
        ThrottleKitLog.ThrottleSeen(_telemetry.Logger, _telemetry.ServiceName, attempt + 1, exception!);
        return true;
    }

    /// <summary>Reports how a call ended in failure. An exception filter: it runs before the stack unwinds and never catches.</summary>
    private bool ObserveFailure(Exception error, ResilienceContext context)
    {
        if (error is RateLimiterRejectedException rejected)
        {
            _telemetry.Metrics?.Rejected.Add(1, _telemetry.ServiceTag);
            ThrottleKitLog.QueueFull(_telemetry.Logger, _telemetry.ServiceName, rejected.RetryAfter?.TotalMilliseconds);
        }
        else if (ReferenceEquals(context.Properties.GetValue(LastThrottleKey, null), error) || (_backoff.MaxRetries == 0 && ShouldRetry(error, 0, context)))
        {
            _telemetry.Metrics?.Exhausted.Add(1, _telemetry.ServiceTag);
            ThrottleKitLog.RetriesExhausted(_telemetry.Logger, _telemetry.ServiceName, _backoff.MaxRetries + 1, error);
        }
        else if (error is not OperationCanceledException || !context.CancellationToken.IsCancellationRequested)
        {
            ThrottleKitLog.TerminalFailure(_telemetry.Logger, _telemetry.ServiceName, error);
        }

        return false;
    }

    private TimeSpan NextDelay(int retry, ResilienceContext context)
    {
        var delay = NextBackoffDelay(retry, context.Properties.GetValue(PreviousDelayKey, TimeSpan.Zero));
        context.Properties.Set(PreviousDelayKey, delay);
        return delay;
    }

    internal TimeSpan NextBackoffDelay(int retry, TimeSpan previousDelay)
    {
        double sample;
        lock (_random)
        {
            sample = _random.NextDouble();
        }

        return _backoff.GetDelay(retry, previousDelay, sample);
    }

    internal bool IsThrottle(Exception exception) => _classifier.Classify(exception) == ThrottlingClassification.Retriable;

    /// <summary>Items of a batch answer were throttled: the same signal as a throttled call, once per answer.</summary>
    internal void ReportBatchThrottles(int items)
    {
        _feedback?.OnThrottled();
        _telemetry.Metrics?.Throttles.Add(items, _telemetry.ServiceTag);
    }

    internal void ReportBatchRetry(int items, int retry, TimeSpan delay)
    {
        _telemetry.Metrics?.Retries.Add(items, _telemetry.ServiceTag);
        ThrottleKitLog.BatchItemsThrottled(_telemetry.Logger, _telemetry.ServiceName, items, retry + 1, _backoff.MaxRetries, delay.TotalMilliseconds);
    }

    internal void ReportBatchRetriesExhausted(int items)
    {
        _telemetry.Metrics?.Exhausted.Add(items, _telemetry.ServiceTag);
        ThrottleKitLog.BatchItemsExhausted(_telemetry.Logger, _telemetry.ServiceName, items, _backoff.MaxRetries + 1);
    }

    private async Task<T> RunAttempt<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        // Set inside an async method, so the value flows into the operation and is gone when the attempt ends.
        Ambient.Value = this;
        return await operation(cancellationToken).ConfigureAwait(false);
    }

    private async Task RunAttempt(Func<CancellationToken, Task> operation, CancellationToken cancellationToken)
    {
        Ambient.Value = this;
        await operation(cancellationToken).ConfigureAwait(false);
    }

    private void ThrowIfDisposed() => Guard.NotDisposed(Volatile.Read(ref _disposed) != 0, this);
}
