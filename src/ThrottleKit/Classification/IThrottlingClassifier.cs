using System;

namespace ThrottleKit.Classification;

/// <summary>Decides whether a failed call was throttled (retriable) or failed for good (terminal).</summary>
/// <remarks>
/// Implementations must be thread-safe and fast; they run on every failure. Anything a classifier does not recognise is
/// <see cref="ThrottlingClassification.Unknown"/>, which the executor treats as terminal.
/// </remarks>
public interface IThrottlingClassifier
{
    /// <summary>Classifies a failure.</summary>
    /// <param name="exception">What the call threw.</param>
    /// <returns>Retriable, terminal, or unknown when this classifier has no opinion.</returns>
    ThrottlingClassification Classify(Exception exception);
}
