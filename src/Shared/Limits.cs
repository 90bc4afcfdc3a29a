using System;
using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace ThrottleKit.Internal;

/// <summary>The ranges every ThrottleKit setting is held to, in one place.</summary>
internal static class Limits
{
    /// <summary>The slowest rate: one permit in about 11.6 days. Anything slower (a denormal, say) is no limit a service has.</summary>
    public const double MinRate = 1e-6;

    /// <summary>The fastest rate: a billion permits a second.</summary>
    public const double MaxRate = 1e9;

    /// <summary>The largest burst, and the largest cost of one request.</summary>
    public const int MaxPermits = 1_000_000_000;

    /// <summary>The longest delay or interval any setting may ask for.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(1);

    /// <summary>The longest pause a limiter takes: an hour, well past any Retry-After a quota asks for.</summary>
    public static readonly TimeSpan MaxPause = TimeSpan.FromHours(1);

    public static string Format(object? value) => value switch
    {
        null => "null",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
