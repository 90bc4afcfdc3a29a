using System;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Polly;
using Polly.RateLimiting;
using Polly.Retry;
using ThrottleKit.Backoff;
using ThrottleKit.Classification;
using ThrottleKit.Internal;
using ThrottleKit.RateLimiting;
using TokenBucketRateLimiter = ThrottleKit.RateLimiting.TokenBucketRateLimiter;

namespace ThrottleKit.Execution;

/// <summary>
/// The standard <see cref="IThrottledExecutor"/>: a Polly <see cref="ResiliencePipeline"/> with a retry strategy
/// (capped exponential backoff, retrying only what the classifier calls retriable) outside a rate limiter strategy
/// (each attempt takes its permits), so retries are rate-limited too.
/// </summary>
public sealed class ThrottledExecutor : IThrottledExecutor, IDisposable, IAsyncDisposable
{
    private static readonly ResiliencePropertyKey<int> CostKey = new("ThrottleKit.Cost");
    private static readonly ResiliencePropertyKey<TimeSpan> PreviousDelayKey = new("ThrottleKit.PreviousDelay");

    private readonly RateLimiter _rateLimiter;
    private readonly RateLimiter? _ownedRateLimiter;
    private readonly IThrottlingClassifier _classifier;
    private readonly ExponentialBackoff _backoff;
    private readonly Random _random = new();
    private readonly ResiliencePipeline _pipeline;
    private int _disposed;

    /// <summary>Creates an executor with its own <see cref="TokenBucketRateLimiter"/>, disposed with the executor.</summary>
    /// <param name="options">The rate limit and backoff; validated and copied.</param>
    /// <param name="classifier">Decides which failures are throttles.</param>
    /// <param name="timeProvider">The clock for permits and backoff; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the exception names it and its value.</exception>
    public ThrottledExecutor(ThrottledExecutorOptions options, IThrottlingClassifier classifier, TimeProvider? timeProvider = null)
        : this(CreateLimiter(options, timeProvider), Guard.NotNull(options, nameof(options)).Backoff, classifier, timeProvider, ownsRateLimiter: true)
    {
    }

    /// <summary>Creates an executor over a rate limiter that others may share; the executor does not dispose it.</summary>
    /// <param name="rateLimiter">Any <see cref="RateLimiter"/>: a <see cref="TokenBucketRateLimiter"/>, a distributed one, or one of <c>System.Threading.RateLimiting</c>'s.</param>
    /// <param name="backoff">The retry schedule; validated and copied.</param>
    /// <param name="classifier">Decides which failures are throttles.</param>
    /// <param name="timeProvider">The clock for the backoff; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A backoff option is out of range; the exception names it and its value.</exception>
    public ThrottledExecutor(RateLimiter rateLimiter, ExponentialBackoffOptions backoff, IThrottlingClassifier classifier, TimeProvider? timeProvider = null)
        : this(rateLimiter, backoff, classifier, timeProvider, ownsRateLimiter: false)
    {
    }

    private ThrottledExecutor(RateLimiter rateLimiter, ExponentialBackoffOptions backoff, IThrottlingClassifier classifier, TimeProvider? timeProvider, bool ownsRateLimiter)
    {
        _rateLimiter = Guard.NotNull(rateLimiter, nameof(rateLimiter));
        _ownedRateLimiter = ownsRateLimiter ? rateLimiter : null;
        _backoff = new ExponentialBackoff(Guard.NotNull(backoff, nameof(backoff)));
        _classifier = Guard.NotNull(classifier, nameof(classifier));
        _pipeline = BuildPipeline(timeProvider ?? TimeProvider.System);
    }

    /// <summary>Gets the rate limiter every attempt goes through.</summary>
    public RateLimiter RateLimiter => _rateLimiter;

    /// <summary>Gets the retry schedule.</summary>
    public ExponentialBackoff Backoff => _backoff;

    /// <inheritdoc />
    public async Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> operation, int cost = 1, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(operation, nameof(operation));
        Guard.NotNegative(cost, nameof(cost));
        ThrowIfDisposed();
        var context = RentContext(cost, cancellationToken);
        try
        {
            return await _pipeline.ExecuteAsync(static (ctx, op) => new ValueTask<T>(op(ctx.CancellationToken)), context, operation).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <inheritdoc />
    public async Task ExecuteAsync(Func<CancellationToken, Task> operation, int cost = 1, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(operation, nameof(operation));
        Guard.NotNegative(cost, nameof(cost));
        ThrowIfDisposed();
        var context = RentContext(cost, cancellationToken);
        try
        {
            await _pipeline.ExecuteAsync(static (ctx, op) => new ValueTask(op(ctx.CancellationToken)), context, operation).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Disposes the rate limiter if this executor created it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _ownedRateLimiter?.Dispose();
        }
    }

    /// <summary>Disposes the rate limiter if this executor created it.</summary>
    /// <returns>A task that completes when disposal is done.</returns>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _ownedRateLimiter is not null)
        {
            return _ownedRateLimiter.DisposeAsync();
        }

        return default;
    }

    private static TokenBucketRateLimiter CreateLimiter(ThrottledExecutorOptions options, TimeProvider? timeProvider)
    {
        Guard.NotNull(options, nameof(options)).Validate();
        return new TokenBucketRateLimiter(options.RateLimit, timeProvider);
    }

    private static ResilienceContext RentContext(int cost, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(CostKey, cost);
        return context;
    }

    private ResiliencePipeline BuildPipeline(TimeProvider timeProvider)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = timeProvider, Name = "ThrottleKit" };
        if (_backoff.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = _backoff.MaxRetries,
                ShouldHandle = args => new ValueTask<bool>(IsRetriable(args.Outcome.Exception, args.Context.CancellationToken)),
                DelayGenerator = args => new ValueTask<TimeSpan?>(NextDelay(args.AttemptNumber, args.Context)),
            });
        }

        // Inside the retry, so every attempt (retries included) takes its permits.
        return builder
            .AddRateLimiter(new RateLimiterStrategyOptions
            {
                RateLimiter = args => _rateLimiter.AcquireAsync(args.Context.Properties.GetValue(CostKey, 1), args.Context.CancellationToken),
            })
            .Build();
    }

    private bool IsRetriable(Exception? exception, CancellationToken cancellationToken)
    {
        if (exception is null || (exception is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            return false;
        }

        return _classifier.Classify(exception) == ThrottlingClassification.Retriable;
    }

    private TimeSpan NextDelay(int retry, ResilienceContext context)
    {
        double sample;
        lock (_random)
        {
            sample = _random.NextDouble();
        }

        var delay = _backoff.GetDelay(retry, context.Properties.GetValue(PreviousDelayKey, TimeSpan.Zero), sample);
        context.Properties.Set(PreviousDelayKey, delay);
        return delay;
    }

    private void ThrowIfDisposed() => Guard.NotDisposed(Volatile.Read(ref _disposed) != 0, this);
}
