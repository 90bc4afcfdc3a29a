using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Polly;
using ThrottleKit.Internal;

namespace ThrottleKit;

/// <summary>
/// The standard <see cref="IThrottledExecutor"/>: a thin convenience over a Polly <see cref="ResiliencePipeline"/> built with
/// <see cref="ThrottlingResiliencePipelineBuilderExtensions.AddThrottling{TBuilder}(TBuilder, ThrottlingStrategyOptions)"/> and nothing else. To stack throttling
/// with other strategies (a timeout, a circuit breaker), build the pipeline yourself.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The generic and non-generic twins differ in the operation's type, never in their optional parameters.")]
public sealed class ThrottledExecutor : IThrottledExecutor
{
    private readonly ResiliencePipeline _pipeline;
    private readonly ThrottlingResilienceStrategy _strategy;
    private readonly IRateFeedback? _feedback;

    /// <summary>Creates an executor over the throttling strategy.</summary>
    /// <param name="options">The limiter (shared, not disposed by the executor), classifier, backoff and telemetry; read now.</param>
    /// <param name="timeProvider">The clock for the backoff and the permit wait; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is missing or out of range; the exception names the first and lists them all.</exception>
    public ThrottledExecutor(ThrottlingStrategyOptions options, TimeProvider? timeProvider = null)
    {
        OptionsValidation.ThrowIfInvalid(options, nameof(options));
        TimeProvider = timeProvider ?? TimeProvider.System;
        RateLimiter = options.RateLimiter!;
        _feedback = RateLimiter as IRateFeedback;
        Telemetry = options.Telemetry ?? ThrottleKitTelemetry.Silent;
        ThrottlingResilienceStrategy? strategy = null;
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = TimeProvider, Name = "ThrottleKit", InstanceName = Telemetry.ServiceName }
            .AddThrottling(options, created: s => strategy = s)
            .Build();
        _strategy = strategy!;
    }

    /// <summary>Gets the rate limiter every attempt takes its permits from.</summary>
    public RateLimiter RateLimiter { get; }

    internal TimeProvider TimeProvider { get; }

    internal ThrottleKitTelemetry Telemetry { get; }

    internal int MaxRetries => _strategy.Backoff.MaxRetries;

    /// <inheritdoc />
    public Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> operation, int cost = 1, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(operation);
        CheckCost(cost);
        var context = Rent(cost, cancellationToken);
        var pending = _pipeline.ExecuteAsync(
            static (ctx, op) =>
            {
                var attempt = op(ctx.CancellationToken);
                ctx.Properties.Set(LastAttempt<T>.Key, attempt);
                return new ValueTask<T>(attempt);
            },
            context,
            operation);

        // A call that completed at once (a cached answer, a test double) returns the operation's own task: the pipeline
        // returned the last attempt's result, so this is the task that holds it, and no second task is made.
        if (pending.IsCompletedSuccessfully && context.Properties.TryGetValue(LastAttempt<T>.Key, out var last) && last.Status == TaskStatus.RanToCompletion)
        {
            _ = pending.Result;
            ResilienceContextPool.Shared.Return(context);
            return last;
        }

        return AwaitAsync(pending, context);
    }

    /// <inheritdoc />
    public Task ExecuteAsync(Func<CancellationToken, Task> operation, int cost = 1, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(operation);
        CheckCost(cost);
        var context = Rent(cost, cancellationToken);
        var pending = _pipeline.ExecuteAsync(static (ctx, op) => new ValueTask(op(ctx.CancellationToken)), context, operation);

        if (pending.IsCompletedSuccessfully)
        {
            ResilienceContextPool.Shared.Return(context);
            return Task.CompletedTask;
        }

        return AwaitAsync(pending, context);
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
        Guard.NotNull(items);
        Guard.NotNull(sendBatch);
        Guard.NotNull(readOutcomes);
        Guard.InRange(maxBatchSize, 1, Limits.MaxPermits);
        return new BatchRun<TItem, TResponse>(this, items, maxBatchSize, sendBatch, readOutcomes, itemCost, cancellationToken).RunAsync();
    }

    internal TimeSpan NextBackoffDelay(int retry, TimeSpan previousDelay) => _strategy.NextDelay(retry, previousDelay);

    internal bool IsThrottle(Exception exception) => _strategy.Classify(exception) == ThrottlingClassification.Retriable;

    /// <summary>Items of a batch answer were throttled: the same signal as a throttled call, once per answer.</summary>
    internal void ReportBatchThrottles(int items)
    {
        _feedback?.OnThrottled();
        Telemetry.Metrics?.Throttles.Add(items, Telemetry.Tags);
    }

    internal void ReportBatchRetry(int items, int retry, TimeSpan delay)
    {
        Telemetry.Metrics?.Retries.Add(items, Telemetry.Tags);
        ThrottleKitLog.BatchItemsThrottled(Telemetry.Logger, Telemetry.ServiceName, items, retry + 1, MaxRetries, delay.TotalMilliseconds);
    }

    internal void ReportBatchRetriesExhausted(int items)
    {
        Telemetry.Metrics?.Exhausted.Add(items, Telemetry.Tags);
        ThrottleKitLog.BatchItemsExhausted(Telemetry, items, MaxRetries + 1);
    }

    private static void CheckCost(int cost)
    {
        if (cost < 0 || cost > Limits.MaxPermits)
        {
            throw new ArgumentOutOfRangeException(nameof(cost), cost, $"{nameof(cost)} must be between 0 and {Limits.MaxPermits}; it is {cost}.");
        }
    }

    private static ResilienceContext Rent(int cost, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(BoxedCost.Key, BoxedCost.Of(cost));
        return context;
    }

    private static async Task<T> AwaitAsync<T>(ValueTask<T> pending, ResilienceContext context)
    {
        try
        {
            return await pending.ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static async Task AwaitAsync(ValueTask pending, ResilienceContext context)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Where a call's last attempt leaves its task, so that a call that completed at once can return it.</summary>
    private static class LastAttempt<T>
    {
        public static ResiliencePropertyKey<Task<T>> Key { get; } = new("ThrottleKit.LastAttempt");
    }
}
