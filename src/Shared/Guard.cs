using System;

namespace ThrottleKit.Internal;

/// <summary>Argument checks and string tests that read the same on netstandard2.0 and net10.0; compiled into each library.</summary>
internal static class Guard
{
    public static T NotNull<T>(T? value, string paramName)
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

    public static void PositiveFinite(double value, string paramName)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be a positive, finite number of permits per second.");
        }
    }

    public static void NotNegative(int value, string paramName)
    {
        if (value < 0)
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must not be negative.");
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
