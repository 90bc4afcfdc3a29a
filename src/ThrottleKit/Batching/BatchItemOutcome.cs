using System;

namespace ThrottleKit;

/// <summary>What a batch response says about one item: accepted, throttled (to be re-sent) or failed (final).</summary>
public readonly struct BatchItemOutcome : IEquatable<BatchItemOutcome>
{
    private BatchItemOutcome(BatchItemStatus status, string? detail)
    {
        Status = status;
        Detail = detail;
    }

    /// <summary>Gets <see cref="BatchItemStatus.Succeeded"/>, <see cref="BatchItemStatus.Throttled"/> or <see cref="BatchItemStatus.Failed"/>.</summary>
    public BatchItemStatus Status { get; }

    /// <summary>Gets what the service said about the item: a message id, a failure code; <see langword="null"/> if nothing.</summary>
    public string? Detail { get; }

    /// <summary>The item was accepted.</summary>
    /// <param name="detail">For example the message id the service gave it.</param>
    /// <returns>The outcome.</returns>
    public static BatchItemOutcome Succeeded(string? detail = null) => new(BatchItemStatus.Succeeded, detail);

    /// <summary>The item was refused for the rate and will be re-sent after the backoff.</summary>
    /// <param name="detail">For example the failure code (<c>RequestThrottled</c>, <c>AccountThrottled</c>).</param>
    /// <returns>The outcome.</returns>
    public static BatchItemOutcome Throttled(string? detail = null) => new(BatchItemStatus.Throttled, detail);

    /// <summary>The item was refused for a reason a retry cannot fix; it is never re-sent.</summary>
    /// <param name="detail">For example the failure code.</param>
    /// <returns>The outcome.</returns>
    public static BatchItemOutcome Failed(string? detail = null) => new(BatchItemStatus.Failed, detail);

    /// <summary>Compares two outcomes by status and detail.</summary>
    /// <param name="left">One outcome.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(BatchItemOutcome left, BatchItemOutcome right) => left.Equals(right);

    /// <summary>Compares two outcomes by status and detail.</summary>
    /// <param name="left">One outcome.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(BatchItemOutcome left, BatchItemOutcome right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(BatchItemOutcome other) => Status == other.Status && string.Equals(Detail, other.Detail, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is BatchItemOutcome other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ((int)Status * 397) ^ (Detail is null ? 0 : StringComparer.Ordinal.GetHashCode(Detail));

    /// <inheritdoc />
    public override string ToString() => Detail is null ? Status.ToString() : $"{Status} ({Detail})";
}
