namespace ThrottleKit;

/// <summary>
/// Told by an executor how each attempt went at the service, so that a rate can follow the service's real quota.
/// Implementations must be thread-safe and fast: they run on every attempt.
/// </summary>
public interface IRateFeedback
{
    /// <summary>An attempt was accepted by the service.</summary>
    /// <param name="permits">What the attempt cost (SES: its recipients), so the accepted rate is measured in the limiter's unit.</param>
    void OnAccepted(int permits);

    /// <summary>An attempt was throttled by the service.</summary>
    void OnThrottled();
}
