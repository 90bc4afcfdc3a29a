using System;
using System.Threading;
using System.Threading.Tasks;

namespace ThrottleKit.Internal;

/// <summary>A delay on a <see cref="TimeProvider"/>'s clock, on every target (netstandard2.0 has it from Microsoft.Bcl.TimeProvider).</summary>
internal static class TimeProviderDelay
{
    public static Task Wait(TimeProvider timeProvider, TimeSpan delay, CancellationToken cancellationToken) =>
#if NET
        Task.Delay(delay, timeProvider, cancellationToken);
#else
        timeProvider.Delay(delay, cancellationToken);
#endif
}
