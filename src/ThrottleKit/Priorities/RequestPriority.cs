using System;

namespace ThrottleKit;

/// <summary>
/// Where a request stands when it waits for permits: its <see cref="ThrottlePriority"/>, and within that priority its flow
/// (a tenant, a campaign), which shares the priority's part of the rate with the other waiting flows by weight.
/// </summary>
public readonly struct RequestPriority : IEquatable<RequestPriority>
{
    private readonly ThrottlePriority _priority;
    private readonly double _weight;

    /// <summary>Describes a request's priority and flow.</summary>
    /// <param name="priority">The priority.</param>
    /// <param name="flow">The flow the request belongs to; <see langword="null"/> for the priority's common flow.</param>
    /// <param name="weight">The flow's weight against the other waiting flows of the same priority; between 0.001 and 1000.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="priority"/> is not a defined value, or <paramref name="weight"/> is out of range.</exception>
    public RequestPriority(ThrottlePriority priority, string? flow = null, double weight = 1)
    {
        if (priority is < ThrottlePriority.High or > ThrottlePriority.Low)
        {
            throw new ArgumentOutOfRangeException(nameof(priority), priority, $"{nameof(priority)} must be High, Normal or Low; it is {(int)priority}.");
        }

        if (!(weight >= MinWeight && weight <= MaxWeight))
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, $"{nameof(weight)} must be between {MinWeight} and {MaxWeight}; it is {weight}.");
        }

        _priority = priority;
        Flow = flow;
        _weight = weight;
    }

    /// <summary>The smallest weight a flow may have.</summary>
    public const double MinWeight = 0.001;

    /// <summary>The largest weight a flow may have.</summary>
    public const double MaxWeight = 1000;

    /// <summary>Gets what a request that names nothing is: <see cref="ThrottlePriority.Normal"/>, the common flow, weight 1.</summary>
    public static RequestPriority Default => new(ThrottlePriority.Normal);

    /// <summary>Gets the priority (<see cref="ThrottlePriority.Normal"/> for a default value of this struct, as for a request that names none).</summary>
    public ThrottlePriority Priority => _weight == 0 ? ThrottlePriority.Normal : _priority;

    /// <summary>Gets the flow within the priority; <see langword="null"/> for the common flow.</summary>
    public string? Flow { get; }

    /// <summary>Gets the flow's weight (1 for a default value of this struct).</summary>
    public double Weight => _weight == 0 ? 1 : _weight;

    /// <inheritdoc />
    public bool Equals(RequestPriority other) => Priority == other.Priority && string.Equals(Flow, other.Flow, StringComparison.Ordinal) && Weight.Equals(other.Weight);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is RequestPriority other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ((int)Priority * 397) ^ (Flow is null ? 0 : StringComparer.Ordinal.GetHashCode(Flow)) ^ Weight.GetHashCode();

    /// <summary>Compares two priorities for equality.</summary>
    /// <param name="left">The first.</param>
    /// <param name="right">The second.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(RequestPriority left, RequestPriority right) => left.Equals(right);

    /// <summary>Compares two priorities for inequality.</summary>
    /// <param name="left">The first.</param>
    /// <param name="right">The second.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(RequestPriority left, RequestPriority right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => Flow is null ? Priority.ToString() : $"{Priority}, flow {Flow} (weight {Weight})";
}
