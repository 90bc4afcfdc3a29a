using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;

namespace ThrottleKit.Testing;

/// <summary>
/// An <see cref="IThrottledExecutor"/> for unit tests that never touch the network: it runs your operation through
/// ThrottleKit's own strategy (the same backoff, retry count and classification rules), but the service's answers are
/// scripted — "throttle twice, then let it through" — every attempt is recorded, and time is virtual and moves by itself, so
/// a test of retry logic runs in milliseconds.
/// </summary>
/// <example>
/// <code>
/// var executor = new FakeThrottledExecutor().ThrottleNext(2);
/// await new Mailer(executor).SendAsync(message);          // your code, taking an IThrottledExecutor
/// Assert.Equal(3, executor.Attempts.Count);                // throttled, throttled, ran
/// Assert.Equal(TimeSpan.FromMilliseconds(30), executor.Elapsed);   // 10 ms + 20 ms of backoff, in no time at all
/// </code>
/// </example>
[System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "As IThrottledExecutor: the generic and non-generic twins differ in the operation's type, never in their optional parameters.")]
public sealed class FakeThrottledExecutor : IThrottledExecutor
{
    private readonly object _lock = new();
    private readonly Queue<Exception?> _script = new();
    private readonly List<FakeAttempt> _attempts = [];
    private readonly ThrottledExecutor _inner;
    private readonly DateTimeOffset _start;
    private int _calls;

    /// <summary>Creates the fake executor.</summary>
    /// <param name="backoff">The backoff between retries; ThrottleKit's defaults (10 ms doubling to 5 s, 10 retries) when <see langword="null"/>.</param>
    /// <param name="rateLimit">The limiter's rate and burst; 1 000 a second with a burst of 1 000 when <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    public FakeThrottledExecutor(ExponentialBackoffOptions? backoff = null, GcraRateLimiterOptions? rateLimit = null)
    {
        Time = new SelfAdvancingTimeProvider();
        _start = Time.GetUtcNow();
        _inner = new ThrottledExecutor(
            new ThrottlingStrategyOptions
            {
                RateLimiter = new GcraRateLimiter(rateLimit ?? new GcraRateLimiterOptions { PermitsPerSecond = 1000, Burst = 1000 }, Time),
                Backoff = backoff ?? new ExponentialBackoffOptions(),
                Classifier = ThrottlingClassifier.Create(e => e is SimulatedThrottleException ? ThrottlingClassification.Retriable : ThrottlingClassification.Terminal),
            },
            Time);
    }

    /// <summary>Gets the virtual clock: every wait the executor makes (a backoff, a permit) passes on it at once.</summary>
    internal FakeTimeProvider Time { get; }

    /// <summary>Gets how much virtual time has passed since the executor was made.</summary>
    public TimeSpan Elapsed => Time.GetUtcNow() - _start;

    /// <summary>Gets every attempt made so far, in order.</summary>
    public IReadOnlyList<FakeAttempt> Attempts
    {
        get
        {
            lock (_lock)
            {
                return [.. _attempts];
            }
        }
    }

    /// <summary>Scripts the next <paramref name="attempts"/> attempts to be throttled, as a service over its quota answers.</summary>
    /// <param name="attempts">How many attempts, from the next one on.</param>
    /// <returns>This executor, to chain scripts.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="attempts"/> is negative.</exception>
    public FakeThrottledExecutor ThrottleNext(int attempts = 1)
    {
        if (attempts < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(attempts), attempts, "The number of throttled attempts must not be negative.");
        }

        lock (_lock)
        {
            for (var i = 0; i < attempts; i++)
            {
                _script.Enqueue(new SimulatedThrottleException());
            }
        }

        return this;
    }

    /// <summary>Scripts the next attempt to fail with <paramref name="error"/>, which is not a throttle: it surfaces at once, unretried.</summary>
    /// <param name="error">The failure, e.g. a <c>MessageRejectedException</c> of your own making.</param>
    /// <returns>This executor, to chain scripts.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is <see langword="null"/>.</exception>
    public FakeThrottledExecutor FailNext(Exception error)
    {
#if NET
        ArgumentNullException.ThrowIfNull(error);
#endif
        lock (_lock)
        {
            _script.Enqueue(error);
        }

        return this;
    }

    /// <inheritdoc />
    public Task ExecuteAsync(Func<CancellationToken, Task> operation, int cost = 1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var call = Interlocked.Increment(ref _calls);
        return _inner.ExecuteAsync(ct => AttemptAsync(call, cost, async () => { await operation(ct).ConfigureAwait(false); return true; }), cost, cancellationToken);
    }

    /// <inheritdoc />
    public Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> operation, int cost = 1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var call = Interlocked.Increment(ref _calls);
        return _inner.ExecuteAsync(ct => AttemptAsync(call, cost, () => operation(ct)), cost, cancellationToken);
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
        ArgumentNullException.ThrowIfNull(sendBatch);
        return _inner.ExecuteBatchAsync(
            items,
            maxBatchSize,
            (batch, ct) => AttemptAsync(Interlocked.Increment(ref _calls), batch.Count, () => sendBatch(batch, ct)),
            readOutcomes,
            itemCost,
            cancellationToken);
    }

    private async Task<T> AttemptAsync<T>(int call, int cost, Func<Task<T>> operation)
    {
        Exception? scripted;
        int attempt;
        lock (_lock)
        {
            scripted = _script.Count > 0 ? _script.Dequeue() : null;
            attempt = 1 + _attempts.FindAll(a => a.Call == call).Count;
            _attempts.Add(new FakeAttempt(call, attempt, Elapsed, cost, scripted switch
            {
                null => FakeOutcome.Ran,
                SimulatedThrottleException => FakeOutcome.Throttled,
                _ => FakeOutcome.Failed,
            }));
        }

        if (scripted is not null)
        {
            throw scripted;
        }

        return await operation().ConfigureAwait(false);
    }

    /// <summary>A virtual clock that runs every timer it is asked for at once, in virtual time.</summary>
    private sealed class SelfAdvancingTimeProvider : FakeTimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            if (dueTime > TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
            {
                // After the caller holds its timer: the wait it starts ends as soon as it begins.
                ThreadPool.QueueUserWorkItem(static s => s.Time.Advance(s.DueTime), (Time: this, DueTime: dueTime), preferLocal: false);
            }

            return timer;
        }
    }
}
