using System;
using Polly;

namespace ThrottleKit;

/// <summary>
/// A throttled attempt about to be retried: what <see cref="ThrottlingStrategyOptions.OnThrottle"/> receives, and what the
/// strategy reports to Polly's telemetry (event <c>OnThrottle</c>; also <c>OnThrottleRetriesExhausted</c> and
/// <c>OnRateLimiterRejected</c>, with no retry delay).
/// </summary>
public readonly struct OnThrottleArguments
{
    internal OnThrottleArguments(int attemptNumber, TimeSpan retryDelay, ThrottlingClassification classification, ResilienceContext context, Exception? exception = null, object? result = null)
    {
        AttemptNumber = attemptNumber;
        RetryDelay = retryDelay;
        Classification = classification;
        Context = context;
        Exception = exception;
        Result = result;
    }

    /// <summary>Gets the zero-based number of the attempt that was throttled.</summary>
    public int AttemptNumber { get; }

    /// <summary>Gets how long the strategy waits before the next attempt.</summary>
    public TimeSpan RetryDelay { get; }

    /// <summary>Gets why it retries: <see cref="ThrottlingClassification.Retriable"/> (a throttle) or <see cref="ThrottlingClassification.Unsent"/>.</summary>
    public ThrottlingClassification Classification { get; }

    /// <summary>Gets the call's context.</summary>
    public ResilienceContext Context { get; }

    /// <summary>Gets the throttle the attempt threw; <see langword="null"/> when it returned a throttled result.</summary>
    public Exception? Exception { get; }

    /// <summary>Gets the throttled result the attempt returned (a <c>429</c> response, say), about to be disposed; <see langword="null"/> when it threw.</summary>
    public object? Result { get; }
}
