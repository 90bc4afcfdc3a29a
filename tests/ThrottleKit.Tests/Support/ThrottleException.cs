using System;

namespace ThrottleKit.Tests.Support;

/// <summary>
/// A throttle as a service answers it, for the core's tests: the core knows no AWS exception, and its tests no package but
/// the core (ThrottleKit.Testing's SimulatedThrottleException is the one its users get).
/// </summary>
public sealed class ThrottleException() : Exception("Maximum sending rate exceeded.");
