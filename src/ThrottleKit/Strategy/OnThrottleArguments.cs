using System;

namespace ThrottleKit;

/// <summary>What the throttling strategy reports to Polly's telemetry when it retries a throttled attempt (event <c>OnThrottle</c>).</summary>
public readonly struct OnThrottleArguments
{
    internal OnThrottleArguments(int attemptNumber, TimeSpan retryDelay, ThrottlingClassification classification)
    {
        AttemptNumber = attemptNumber;
        RetryDelay = retryDelay;
        Classification = classification;
    }

    /// <summary>Gets the zero-based number of the attempt that was throttled.</summary>
    public int AttemptNumber { get; }

    /// <summary>Gets how long the strategy waits before the next attempt.</summary>
    public TimeSpan RetryDelay { get; }

    /// <summary>Gets why it retries: <see cref="ThrottlingClassification.Retriable"/> (a throttle) or <see cref="ThrottlingClassification.Unsent"/>.</summary>
    public ThrottlingClassification Classification { get; }
}
