using System;
using System.Threading;

namespace ThrottleKit;

/// <summary>
/// The priority of the requests made in a block of code, for calls whose API has no room for one: an AWS SDK call, a
/// method of a library that sends through a limiter. A <see cref="GcraRateLimiter"/> queues a request by the scope it was
/// made in; the throttling strategy enters the scope that <see cref="ThrottlingProperties.Priority"/> names. Flows with
/// async code, as <see cref="System.Diagnostics.Activity.Current"/> does, and ends where the scope is disposed.
/// </summary>
/// <example>
/// <code>
/// using (PriorityScope.Enter(new RequestPriority(ThrottlePriority.High)))
/// {
///     await ses.SendEmailAsync(passwordReset);
/// }
/// </code>
/// </example>
public static class PriorityScope
{
    // Per async flow, never shared between two calls: not state that two containers could trip over.
    private static readonly AsyncLocal<RequestPriority?> Ambient = new();

    /// <summary>Gets the priority in force here, or <see langword="null"/> outside every scope.</summary>
    public static RequestPriority? Current => Ambient.Value;

    /// <summary>Makes <paramref name="priority"/> the one in force until the returned scope is disposed.</summary>
    /// <param name="priority">The priority of the requests made in the scope.</param>
    /// <returns>The scope; disposing it restores the priority that was in force before.</returns>
    public static IDisposable Enter(RequestPriority priority)
    {
        var previous = Ambient.Value;
        Ambient.Value = priority;
        return new Exit(previous);
    }

    private sealed class Exit(RequestPriority? previous) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Ambient.Value = previous;
            }
        }
    }
}
