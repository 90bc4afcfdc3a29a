namespace ThrottleKit;

/// <summary>What an <see cref="IThrottlingClassifier"/> says of a failure.</summary>
public enum ThrottlingClassification
{
    /// <summary>The classifier does not recognise the failure. The next classifier of a composite is asked; if none knows it, it is terminal.</summary>
    Unknown = 0,

    /// <summary>A throttle that a later attempt can get past: the call is retried after a backoff, and an adaptive rate is lowered.</summary>
    Retriable = 1,

    /// <summary>Any other failure, surfaced to the caller unchanged and at once. Retrying it could do the work twice.</summary>
    Terminal = 2,

    /// <summary>
    /// The request provably never reached the service (the connection was refused, the name did not resolve, the TLS handshake
    /// failed): retried like a throttle, within the same attempts and backoff, but it says nothing of the rate, so it is not
    /// counted as a throttle and does not lower an adaptive rate.
    /// </summary>
    Unsent = 3,
}
