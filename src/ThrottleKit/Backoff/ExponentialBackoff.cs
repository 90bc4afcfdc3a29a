using System;
using ThrottleKit.Internal;

namespace ThrottleKit;

/// <summary>
/// A capped exponential backoff: the n-th retry (n = 0, 1, 2 …) waits <c>min(MaxDelay, MinDelay · 2ⁿ)</c>, optionally
/// jittered (<see cref="BackoffJitter"/>). Immutable and thread-safe; randomness is passed in, so every delay is reproducible.
/// </summary>
internal sealed class ExponentialBackoff
{
    /// <summary>Creates a backoff from <paramref name="options"/>, which are validated and copied.</summary>
    /// <param name="options">The delays, retry count and jitter mode.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the exception names it and its value.</exception>
    public ExponentialBackoff(ExponentialBackoffOptions options)
    {
        OptionsValidation.ThrowIfInvalid(options, nameof(options));
        MinDelay = options.MinDelay;
        MaxDelay = options.MaxDelay;
        MaxRetries = options.MaxRetries;
        Jitter = options.Jitter;
    }

    /// <summary>Gets the delay before the first retry.</summary>
    public TimeSpan MinDelay { get; }

    /// <summary>Gets the longest delay, jitter included.</summary>
    public TimeSpan MaxDelay { get; }

    /// <summary>Gets how many retries a call may make after its first attempt.</summary>
    public int MaxRetries { get; }

    /// <summary>Gets the jitter mode.</summary>
    public BackoffJitter Jitter { get; }

    /// <summary>The un-jittered delay of the <paramref name="retry"/>-th retry: <c>min(maxDelay, minDelay · 2^retry)</c>, without overflow for any retry.</summary>
    /// <param name="minDelay">The delay of retry 0; not negative.</param>
    /// <param name="maxDelay">The cap; at least <paramref name="minDelay"/>.</param>
    /// <param name="retry">The zero-based retry number.</param>
    /// <returns>The delay.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retry"/> is negative.</exception>
    public static TimeSpan CappedDelay(TimeSpan minDelay, TimeSpan maxDelay, int retry)
    {
        Guard.InRange(retry, 0, int.MaxValue);
        var min = minDelay.Ticks;
        var max = maxDelay.Ticks;

        // min · 2^retry > max exactly when min > max >> retry; at retry ≥ 63 every positive min is past any cap.
        if (min <= 0)
        {
            return TimeSpan.Zero;
        }

        return retry >= 63 || min > max >> retry ? maxDelay : TimeSpan.FromTicks(min << retry);
    }

    /// <summary>The delay before the <paramref name="retry"/>-th retry.</summary>
    /// <param name="retry">The zero-based retry number: 0 is the wait after the first attempt failed.</param>
    /// <param name="previousDelay">The delay this call waited before its previous retry (<see cref="TimeSpan.Zero"/> before the first); only <see cref="BackoffJitter.Decorrelated"/> uses it.</param>
    /// <param name="randomSample">A uniform sample in <c>[0, 1)</c>; ignored by <see cref="BackoffJitter.None"/>.</param>
    /// <returns>A delay in <c>[0, MaxDelay]</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retry"/> is negative or <paramref name="randomSample"/> is outside <c>[0, 1)</c>.</exception>
    public TimeSpan GetDelay(int retry, TimeSpan previousDelay, double randomSample)
    {
        if (!(randomSample >= 0 && randomSample < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(randomSample), randomSample, "The random sample must be in [0, 1).");
        }

        var capped = CappedDelay(MinDelay, MaxDelay, retry);
        switch (Jitter)
        {
            case BackoffJitter.Full:
                return Scale(capped.Ticks * randomSample);
            case BackoffJitter.Equal:
                return Scale((capped.Ticks / 2.0) + (capped.Ticks / 2.0 * randomSample));
            case BackoffJitter.Decorrelated:
                var previous = retry == 0 || previousDelay < MinDelay ? MinDelay : previousDelay;
                var upper = previous.Ticks * 3.0;
                return Scale(MinDelay.Ticks + ((upper - MinDelay.Ticks) * randomSample));
            default:
                return capped;
        }
    }

    private TimeSpan Scale(double ticks) => ticks >= MaxDelay.Ticks ? MaxDelay : TimeSpan.FromTicks((long)ticks);
}
