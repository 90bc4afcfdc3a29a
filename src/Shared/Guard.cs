using System;
using System.Runtime.CompilerServices;

namespace ThrottleKit.Internal;

/// <summary>Argument checks and string tests that read the same on netstandard2.0 and net10.0, for the core and its packages.</summary>
internal static class Guard
{
    public static T NotNull<T>(T? value, [CallerArgumentExpression(nameof(value))] string paramName = "")
        where T : class
    {
#if NET
        ArgumentNullException.ThrowIfNull(value, paramName);
        return value;
#else
        return value ?? throw new ArgumentNullException(paramName);
#endif
    }

    public static bool Mentions(string? text, string fragment)
#if NET
        => text is not null && text.Contains(fragment, StringComparison.OrdinalIgnoreCase);
#else
        => text is not null && text.IndexOf(fragment, StringComparison.OrdinalIgnoreCase) >= 0;
#endif

    /// <summary>A rate in permits per second, within [<see cref="Limits.MinRate"/>, <see cref="Limits.MaxRate"/>]: NaN, infinities and denormals are refused.</summary>
    public static void Rate(double value, [CallerArgumentExpression(nameof(value))] string paramName = "")
    {
        if (!(value >= Limits.MinRate && value <= Limits.MaxRate))
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be between {Limits.Format(Limits.MinRate)} and {Limits.Format(Limits.MaxRate)} permits per second; it is {Limits.Format(value)}.");
        }
    }

    public static void InRange(int value, int minimum, int maximum, [CallerArgumentExpression(nameof(value))] string paramName = "")
    {
        if (value < minimum || value > maximum)
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be between {minimum} and {maximum}; it is {value}.");
        }
    }

    /// <summary>A pause of a limiter (<c>IPausableRateLimiter.Pause</c>), within [0, <see cref="Limits.MaxPause"/>].</summary>
    public static void Pause(TimeSpan value, [CallerArgumentExpression(nameof(value))] string paramName = "")
    {
        if (value < TimeSpan.Zero || value > Limits.MaxPause)
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be between zero and one hour; it is {value}.");
        }
    }

    public static void NotDisposed(bool disposed, object instance)
    {
#if NET
        ObjectDisposedException.ThrowIf(disposed, instance);
#else
        if (disposed)
        {
            throw new ObjectDisposedException(instance.GetType().FullName);
        }
#endif
    }
}
