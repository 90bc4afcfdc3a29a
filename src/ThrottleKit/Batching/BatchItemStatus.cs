namespace ThrottleKit;

/// <summary>How one item of a batch ended, or what a response says about it.</summary>
public enum BatchItemStatus
{
    /// <summary>The service accepted the item.</summary>
    Succeeded,

    /// <summary>The service refused the item for its rate; as a final result, it was still throttled after the last retry.</summary>
    Throttled,

    /// <summary>The service refused the item for any other reason, or the batch call failed terminally. Never re-sent.</summary>
    Failed,

    /// <summary>
    /// The caller's token was cancelled before an answer came for the item. If the cancellation came while its batch call was
    /// in flight, the service may have processed it.
    /// </summary>
    Canceled,
}
