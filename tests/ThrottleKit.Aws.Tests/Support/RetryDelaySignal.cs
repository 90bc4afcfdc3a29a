using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;

namespace ThrottleKit.Aws.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that says when a timer of a given length is started: the moment a retry begins to wait
/// for its backoff, so a test can change the world before the retry leaves, with no race against it.
/// </summary>
internal sealed class RetryDelaySignal(TimeSpan delay) : FakeTimeProvider(DateTimeOffset.UtcNow)
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a timer due in exactly the delay has been started.</summary>
    public Task Started => _started.Task;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime == delay)
        {
            _started.TrySetResult();
        }

        return timer;
    }
}
