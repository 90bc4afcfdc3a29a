using System;
using ThrottleKit.Internal;
using System.Threading;
using System.Threading.Tasks;

namespace ThrottleKit;

/// <summary>
/// Reads the account's quota now and then on a schedule (<see cref="AccountQuotaOptions.RefreshInterval"/>), hands its rate
/// to the limiter, and, with <see cref="AccountQuotaOptions.EnforceDailyQuota"/>, keeps count of the 24-hour quota so that an
/// executor can refuse a call that would exceed it instead of sending it to be refused.
/// </summary>
/// <remarks>
/// The count is conservative: the spend the service reported, plus every call that succeeded since, plus every call in
/// flight. A failed read is logged and changes nothing; the next one is tried on schedule.
/// </remarks>
public sealed class AccountQuotaMonitor : IDisposable, IAsyncDisposable
{
    private readonly object _lock = new();
    private readonly Func<CancellationToken, Task<AccountQuota>> _source;
    private readonly Action<double>? _applyRate;
    private readonly bool _enforceDailyQuota;
    private readonly TimeProvider _timeProvider;
    private readonly ThrottleKitTelemetry _telemetry;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ITimer _timer;
    private AccountQuota? _current;
    private DateTimeOffset _readAt;
    private double _succeeded;
    private double _succeededBeforeRead;
    private double _inFlight;
    private double _appliedRate = double.NaN;
    private int _refreshing;

    /// <summary>Creates a monitor and starts reading at once, then every <see cref="AccountQuotaOptions.RefreshInterval"/>.</summary>
    /// <param name="source">Reads the quota, for example with SES's <c>GetSendQuota</c>. Given a token that is cancelled on disposal.</param>
    /// <param name="options">The schedule and whether to enforce the 24-hour quota; validated and copied.</param>
    /// <param name="applyRate">Receives each new rate, for example <c>limiter.SetRate</c>; <see langword="null"/> to leave the rate alone.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="telemetry">Where reads and failures are logged; nowhere when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the exception names it and its value.</exception>
    public AccountQuotaMonitor(Func<CancellationToken, Task<AccountQuota>> source, AccountQuotaOptions options, Action<double>? applyRate = null, TimeProvider? timeProvider = null, ThrottleKitTelemetry? telemetry = null)
    {
        _source = Guard.NotNull(source);
        OptionsValidation.ThrowIfInvalid(options, nameof(options));
        _applyRate = applyRate;
        _enforceDailyQuota = options.EnforceDailyQuota;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _telemetry = telemetry ?? ThrottleKitTelemetry.Silent;
        RefreshInterval = options.RefreshInterval;

        // Last, as the first tick may run before the constructor returns.
        _timer = _timeProvider.CreateTimer(static state => ((AccountQuotaMonitor)state!).OnTick(), this, TimeSpan.Zero, options.RefreshInterval);
    }

    /// <summary>Gets how often the quota is read.</summary>
    public TimeSpan RefreshInterval { get; }

    /// <summary>Gets the last quota read, or <see langword="null"/> before the first read succeeds.</summary>
    public AccountQuota? Current
    {
        get
        {
            lock (_lock)
            {
                return _current;
            }
        }
    }

    /// <summary>
    /// Gets what is left of the 24-hour quota by the conservative count, or <see langword="null"/> when there is no 24-hour
    /// limit to enforce (none read yet, none reported, or enforcement off).
    /// </summary>
    public double? Remaining24HourPermits
    {
        get
        {
            lock (_lock)
            {
                return _enforceDailyQuota && _current?.Max24HourPermits is { } max ? Math.Max(0, max - UsedLocked()) : null;
            }
        }
    }

    /// <summary>Stops reading.</summary>
    public void Dispose()
    {
        _timer.Dispose();
        if (!_stopping.IsCancellationRequested)
        {
            _stopping.Cancel();
        }

        _stopping.Dispose();
    }

    /// <summary>Stops reading.</summary>
    /// <returns>A task that completes when the timer is stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await _timer.DisposeAsync().ConfigureAwait(false);
        Dispose();
    }

    /// <summary>
    /// Counts <paramref name="permits"/> as in flight against the 24-hour quota, or refuses them. Pair each <see langword="true"/>
    /// answer with one <see cref="Complete"/>.
    /// </summary>
    /// <param name="permits">What the call needs.</param>
    /// <returns>
    /// Whether the permits are counted (so <see cref="Complete"/> must follow): while the 24-hour quota is enforced, always — a
    /// call made before the first reading is counted too, so that the reading that follows it cannot leave it out.
    /// </returns>
    /// <exception cref="DailyQuotaExceededException">The call would exceed the 24-hour quota; it must not be sent.</exception>
    internal bool Reserve(int permits)
    {
        if (!_enforceDailyQuota)
        {
            return false;
        }

        lock (_lock)
        {
            if (_current?.Max24HourPermits is { } max)
            {
                var used = UsedLocked();
                if (used + permits > max)
                {
                    throw new DailyQuotaExceededException(max, used, permits, _readAt);
                }
            }

            _inFlight += permits;
            return true;
        }
    }

    /// <summary>Ends a reservation: a call that succeeded is spent; any other gives its permits back.</summary>
    /// <param name="permits">What <see cref="Reserve"/> counted.</param>
    /// <param name="succeeded">Whether the service accepted the call.</param>
    internal void Complete(int permits, bool succeeded)
    {
        lock (_lock)
        {
            _inFlight = Math.Max(0, _inFlight - permits);
            if (succeeded)
            {
                _succeeded += permits;
            }
        }
    }

    // What the service reported, plus every call that succeeded since the reading began (one the service had already counted
    // is counted twice: the count errs on the safe side), plus every call in flight.
    private double UsedLocked() => (_current?.UsedLast24Hours ?? 0) + (_succeeded - _succeededBeforeRead) + _inFlight;

    private void OnTick()
    {
        // A slow read is never overlapped by the next one.
        if (Interlocked.Exchange(ref _refreshing, 1) == 0)
        {
            _ = RefreshAsync();
        }
    }

    private async Task RefreshAsync()
    {
        try
        {
            var token = _stopping.Token;
            double succeededBefore;
            lock (_lock)
            {
                succeededBefore = _succeeded;
            }

            var quota = await _source(token).ConfigureAwait(false)
                ?? throw new InvalidOperationException("The account quota source returned null.");
            bool rateChanged;
            lock (_lock)
            {
                _current = quota;
                _readAt = _timeProvider.GetUtcNow();
                _succeededBeforeRead = succeededBefore;
                rateChanged = quota.MaxPermitsPerSecond != _appliedRate;
                _appliedRate = quota.MaxPermitsPerSecond;
            }

            if (rateChanged)
            {
                _applyRate?.Invoke(quota.MaxPermitsPerSecond);
                ThrottleKitLog.AccountQuotaRead(_telemetry.Logger, _telemetry.ServiceName, quota.MaxPermitsPerSecond, quota.UsedLast24Hours, quota.Max24HourPermits);
            }
        }
        catch (ObjectDisposedException)
        {
        }
        catch (OperationCanceledException) when (IsStopping())
        {
        }
        catch (Exception error)
        {
            ThrottleKitLog.AccountQuotaReadFailed(_telemetry, error);
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }

    private bool IsStopping()
    {
        try
        {
            return _stopping.IsCancellationRequested;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }
}
