using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace ThrottleKit;

/// <summary>
/// Exceptions a throttling strategy has already dealt with (retried to the end, or found terminal) during the call that is
/// running. An outer ThrottleKit layer passes such an exception through instead of retrying it again, so layers never
/// multiply attempts. Each mark is numbered, and a layer reads the number before its callback runs: only a mark made after
/// that, by a layer inside this very call, counts. An exception object that is thrown again later (a cached instance, a
/// test double) is a new failure of a new call, retried as any other.
/// </summary>
/// <remarks>
/// The table and the counter are process-wide, yet no container or pipeline can see another's calls through them: a mark is
/// a fact about one exception instance, and the counter only grows. The one overlap is one exception instance thrown by two
/// calls at once, where a layer may take the other call's mark for its own and pass the failure through unretried.
/// </remarks>
internal static class HandledFailures
{
    private static readonly ConditionalWeakTable<Exception, StrongBox<long>> Marks = new();
    private static long s_lastMark;

    /// <summary>Gets the number of the last mark made; read it before a callback runs, for <see cref="IsHandled"/>.</summary>
    public static long LastMark => Volatile.Read(ref s_lastMark);

    public static void Mark(Exception exception)
    {
        var mark = new StrongBox<long>(Interlocked.Increment(ref s_lastMark));
#if NET
        Marks.AddOrUpdate(exception, mark);
#else
        Marks.Remove(exception);
        Marks.Add(exception, mark);
#endif
    }

    /// <summary>Whether <paramref name="exception"/> was marked after <paramref name="since"/> (a <see cref="LastMark"/> read before the callback).</summary>
    public static bool IsHandled(Exception exception, long since) => Marks.TryGetValue(exception, out var mark) && mark.Value > since;
}
