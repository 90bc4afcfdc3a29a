using System;

namespace ThrottleKit.Testing;

/// <summary>The throttle a <see cref="FakeThrottledExecutor"/> answers a scripted attempt with; retried, and surfaced only when retries run out.</summary>
public sealed class SimulatedThrottleException : Exception
{
    /// <summary>Creates the exception with SES's words.</summary>
    public SimulatedThrottleException()
        : base("Maximum sending rate exceeded. (simulated by FakeThrottledExecutor)")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public SimulatedThrottleException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The inner exception.</param>
    public SimulatedThrottleException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
