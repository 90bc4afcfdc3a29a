using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using ThrottleKit.Internal;

namespace ThrottleKit;

/// <summary>
/// A request waiting in a <see cref="GcraRateLimiter"/>'s queue; its task completes with the lease, a cancellation, or
/// <see cref="System.ObjectDisposedException"/>. Its place belongs to the <see cref="GcraWaiterQueue"/> it stands in.
/// </summary>
internal sealed class GcraWaiter : TaskCompletionSource<RateLimitLease>
{
    private readonly GcraRateLimiter _limiter;

    public GcraWaiter(GcraRateLimiter limiter, int cost, RequestPriority priority, CancellationToken cancellationToken)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        _limiter = limiter;
        Cost = cost;
        Priority = priority;
        CancellationToken = cancellationToken;
    }

    public int Cost { get; }

    public RequestPriority Priority { get; }

    /// <summary>Gets or sets the request's start tag in its priority's fair queue (<see cref="GcraFairQueue"/>).</summary>
    public double Tag { get; set; }

    /// <summary>Gets or sets the order the request arrived in, which breaks ties between equal tags.</summary>
    public long Sequence { get; set; }

    /// <summary>Gets or sets the next request in a chain of granted or abandoned ones.</summary>
    public GcraWaiter? Next { get; set; }

    public bool IsQueued { get; set; }

    public CancellationToken CancellationToken { get; }

    public void Cancel() => _limiter.Cancel(this);

    /// <summary>Waits for the lease, giving up the place in the queue if the caller's token is cancelled.</summary>
    public async ValueTask<RateLimitLease> WaitAsync()
    {
        // The registration lives exactly as long as the wait; disposing it outside the limiter's lock cannot deadlock
        // with a cancellation callback that is taking that lock.
        using (CancellationToken.Register(static state => ((GcraWaiter)state!).Cancel(), this))
        {
            return await Task.ConfigureAwait(false);
        }
    }

    /// <summary>Completes a chain of granted requests; called outside the limiter's lock.</summary>
    public static void GrantAll(GcraWaiter? granted)
    {
        while (granted is not null)
        {
            var next = granted.Next;
            granted.TrySetResult(PermitLease.Granted);
            granted = next;
        }
    }
}
