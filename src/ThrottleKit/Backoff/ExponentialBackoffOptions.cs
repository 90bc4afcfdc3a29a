using System;

namespace ThrottleKit.Backoff;

/// <summary>Settings of an <see cref="ExponentialBackoff"/>. Defaults follow AWS's guidance for Amazon SES throttling.</summary>
public sealed class ExponentialBackoffOptions
{
    /// <summary>Gets or sets the delay before the first retry. Default 10 ms.</summary>
    public TimeSpan MinDelay { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Gets or sets the longest delay between two attempts, jitter included. Default 5 s.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets how many times a throttled call is retried, so a call makes at most <c>MaxRetries + 1</c> attempts. Default 10.</summary>
    public int MaxRetries { get; set; } = 10;

    /// <summary>Gets or sets how delays are randomised. Default <see cref="BackoffJitter.None"/>: exactly <c>min(MaxDelay, MinDelay · 2ⁿ)</c>.</summary>
    public BackoffJitter Jitter { get; set; } = BackoffJitter.None;

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the exception names it and its value.</exception>
    public void Validate()
    {
        if (MinDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MinDelay), MinDelay, $"{nameof(MinDelay)} must not be negative.");
        }

        if (MaxDelay < MinDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDelay), MaxDelay, $"{nameof(MaxDelay)} must be at least {nameof(MinDelay)} ({MinDelay}).");
        }

        if (MaxRetries < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries, $"{nameof(MaxRetries)} must not be negative.");
        }

        if (Jitter is < BackoffJitter.None or > BackoffJitter.Decorrelated)
        {
            throw new ArgumentOutOfRangeException(nameof(Jitter), Jitter, $"{nameof(Jitter)} must be one of None, Full, Equal or Decorrelated.");
        }
    }
}
