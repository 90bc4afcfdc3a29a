using System;

namespace ThrottleKit;

/// <summary>
/// What a result classifier says of a result: whether the service throttled the attempt, and how long it asked to be left
/// alone (an HTTP <c>Retry-After</c>, say). A result that is not a throttle is returned to the caller as it is.
/// </summary>
public readonly struct ResultThrottle : IEquatable<ResultThrottle>
{
    private ResultThrottle(bool isThrottle, TimeSpan? retryAfter)
    {
        IsThrottle = isThrottle;
        RetryAfter = retryAfter;
    }

    /// <summary>Gets the answer for a result that is not a throttle.</summary>
    public static ResultThrottle None => default;

    /// <summary>Gets whether the attempt was throttled, so it is retried.</summary>
    public bool IsThrottle { get; }

    /// <summary>Gets how long the service asked callers to wait, if it said; <see langword="null"/> otherwise.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Compares two answers.</summary>
    /// <param name="left">One answer.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they say the same.</returns>
    public static bool operator ==(ResultThrottle left, ResultThrottle right) => left.Equals(right);

    /// <summary>Compares two answers.</summary>
    /// <param name="left">One answer.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(ResultThrottle left, ResultThrottle right) => !left.Equals(right);

    /// <summary>The answer for a throttled attempt.</summary>
    /// <param name="retryAfter">How long the service asked callers to wait, if it said; negative values count as none.</param>
    /// <returns>A throttle.</returns>
    public static ResultThrottle Throttled(TimeSpan? retryAfter = null)
        => new(true, retryAfter is { } after && after > TimeSpan.Zero ? after : null);

    /// <inheritdoc />
    public bool Equals(ResultThrottle other) => IsThrottle == other.IsThrottle && RetryAfter == other.RetryAfter;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ResultThrottle other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => (IsThrottle, RetryAfter).GetHashCode();

    /// <inheritdoc />
    public override string ToString() => !IsThrottle ? "not a throttle" : RetryAfter is { } after ? $"throttled, retry after {after.TotalMilliseconds:0} ms" : "throttled";
}
