using System;

namespace ThrottleKit;

/// <summary>Decides whether a failed call was throttled (retriable), never sent (retriable), or failed for good (terminal).</summary>
/// <remarks>
/// Implementations must be thread-safe and fast; they run on every failure. Anything a classifier does not recognise is
/// <see cref="ThrottlingClassification.Unknown"/>, which is treated as terminal. A classifier that throws is treated as
/// saying terminal: the call's own exception surfaces, and the classifier's failure is logged by its type.
/// </remarks>
public interface IThrottlingClassifier
{
    /// <summary>Classifies a failure.</summary>
    /// <param name="exception">What the call threw.</param>
    /// <returns>Retriable, unsent, terminal, or unknown when this classifier has no opinion.</returns>
    ThrottlingClassification Classify(Exception exception);
}
