using System;

namespace ThrottleKit.Testing;

/// <summary>Failures the emulator can inject. Each happens after the request was processed, like the ambiguous failures of a real service.</summary>
[Flags]
internal enum EmulatorFaults
{
    /// <summary>No faults.</summary>
    None = 0,

    /// <summary>HTTP 500 <c>InternalFailure</c>.</summary>
    ServerError = 1,

    /// <summary>No answer until <see cref="SesEmulatorOptions.StallDuration"/> has passed: the client times out.</summary>
    Stall = 2,

    /// <summary>The connection is dropped without an answer.</summary>
    Reset = 4,
}
