using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;

namespace ThrottleKit;

/// <summary>
/// A request waiting in a <see cref="GcraRateLimiter"/>'s queue; its task completes with the lease, a cancellation, or
/// <see cref="System.ObjectDisposedException"/>. Its links belong to the <see cref="GcraWaiterQueue"/> it stands in.
/// </summary>
internal sealed class GcraWaiter : TaskCompletionSource<RateLimitLease>
{
    private readonly GcraRateLimiter _limiter;

    public GcraWaiter(GcraRateLimiter limiter, int cost, CancellationToken cancellationToken)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        _limiter = limiter;
        Cost = cost;
        CancellationToken = cancellationToken;
    }

    public int Cost { get; }

    public GcraWaiter? Next { get; set; }

    public GcraWaiter? Previous { get; set; }

    public bool IsQueued { get; set; }

    public CancellationToken CancellationToken { get; }

    public void Cancel() => _limiter.Cancel(this);
}
