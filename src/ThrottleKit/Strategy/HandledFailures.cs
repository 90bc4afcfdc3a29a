using System;
using System.Runtime.CompilerServices;

namespace ThrottleKit;

/// <summary>
/// Exceptions a throttling strategy has already dealt with (retried to the end, or found terminal). An outer ThrottleKit
/// layer passes such an exception through instead of retrying it again, so layers never multiply attempts. A fact about an
/// exception instance, kept beside it: no container or pipeline can see another's calls through it.
/// </summary>
internal static class HandledFailures
{
    private static readonly ConditionalWeakTable<Exception, object> Handled = new();

    public static void Mark(Exception exception)
    {
#if NET
        Handled.AddOrUpdate(exception, Handled);
#else
        Handled.Remove(exception);
        Handled.Add(exception, Handled);
#endif
    }

    public static bool IsHandled(Exception exception) => Handled.TryGetValue(exception, out _);
}
