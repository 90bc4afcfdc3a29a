using System;

namespace ThrottleKit;

/// <summary>How one item of <see cref="IThrottledExecutor.ExecuteBatchAsync{TItem, TResponse}"/> ended.</summary>
/// <typeparam name="TItem">The item type.</typeparam>
public sealed class BatchItemResult<TItem>
{
    internal BatchItemResult(TItem item, int index, BatchItemStatus status, int attempts, string? detail, Exception? exception)
    {
        Item = item;
        Index = index;
        Status = status;
        Attempts = attempts;
        Detail = detail;
        Exception = exception;
    }

    /// <summary>Gets the item.</summary>
    public TItem Item { get; }

    /// <summary>Gets the item's position in the list given.</summary>
    public int Index { get; }

    /// <summary>Gets how the item ended.</summary>
    public BatchItemStatus Status { get; }

    /// <summary>Gets how many batch calls carried the item; a call retried whole after a throttle counts once.</summary>
    public int Attempts { get; }

    /// <summary>Gets what the service last said about the item (<see cref="BatchItemOutcome.Detail"/>), if anything.</summary>
    public string? Detail { get; }

    /// <summary>Gets the exception the item's last batch call ended with, when the whole call failed; otherwise <see langword="null"/>.</summary>
    public Exception? Exception { get; }

    /// <inheritdoc />
    public override string ToString() => $"#{Index}: {Status}" + (Detail is null ? string.Empty : $" ({Detail})") + $" after {Attempts} attempt(s)";
}
