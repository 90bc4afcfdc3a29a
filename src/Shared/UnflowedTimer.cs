using System;
using System.Threading;

namespace ThrottleKit.Internal;

/// <summary>One-shot timers that do not capture the ambient context (AsyncLocals) of whichever caller happened to arm them.</summary>
internal static class UnflowedTimer
{
    public static ITimer Create(TimeProvider timeProvider, TimerCallback callback, object state, TimeSpan dueTime)
    {
        var restoreFlow = !ExecutionContext.IsFlowSuppressed();
        if (restoreFlow)
        {
            ExecutionContext.SuppressFlow();
        }

        try
        {
            return timeProvider.CreateTimer(callback, state, dueTime, Timeout.InfiniteTimeSpan);
        }
        finally
        {
            if (restoreFlow)
            {
                ExecutionContext.RestoreFlow();
            }
        }
    }
}
