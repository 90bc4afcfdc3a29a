using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.RateLimiting;
using Amazon.Runtime;
using Polly;

namespace ThrottleKit.Aws;

/// <summary>
/// The throttling of one service in one container: its rules, its settings in force, its pipeline, and its buckets — one per
/// account, Region and operation group, made when a call first needs them. Every call runs the one pipeline and carries its
/// bucket in its context; buckets of a Region share their telemetry (its tags name no account), so an idle bucket is its
/// limiter and a few hundred bytes besides, and no timer.
/// </summary>
internal sealed class ServiceThrottle : IDisposable
{
    private const string Unmetered = "(unmetered)";

    /// <summary>Guards adding a bucket, moving the map to a smaller one, and the sweeper timer.</summary>
    private readonly object _mapLock = new();

    /// <summary>Per Region: whether calls named their account (2), named none (1), or both (3, said once at Warning).</summary>
    private readonly ConcurrentDictionary<string, int> _accountKinds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Region, string Operation), ThrottleKitTelemetry> _telemetry = new();
    private readonly AwsThrottlingContext _context;
    private readonly IThrottlingClassifier _classifier;
    private readonly ServiceExecutor _executor;
    private volatile AwsServiceThrottlingOptions _options;
    private volatile AwsBucketSettings _settings;
    private volatile Built _built;
    private volatile ConcurrentDictionary<AwsPartition, Lazy<AwsBucket>> _buckets = new();
    private int _peakBuckets;
    private int _sweeping;
    private ITimer? _sweeper;
    private TimeSpan _sweepPeriod;

    public ServiceThrottle(string key, AwsServiceThrottlingOptions options, AwsBucketSettings settings, AwsThrottlingRules rules, AwsThrottlingContext context)
    {
        Key = key;
        Rules = rules;
        _options = options;
        _settings = settings;
        _context = context;
        _classifier = ThrottlingClassifier.Combine(rules.Classifier, UnsentFailureClassifier.Instance);
        _executor = new ServiceExecutor(CreateExecutor);
        _built = Build(options);
    }

    public string Key { get; }

    public AwsThrottlingRules Rules { get; }

    /// <summary>Gets the pipeline every call of the service's clients runs; a call carries its bucket (<see cref="AwsBucket.CallKey"/>).</summary>
    public ResiliencePipeline Pipeline => _built.Pipeline;

    /// <summary>Gets how many attempts a call makes at most.</summary>
    public int MaxAttempts => _built.MaxAttempts;

    /// <summary>Gets the executor of the service's keyed registration: the service's bucket for the configured account and Region (<c>*</c> where none is).</summary>
    public IThrottledExecutor Executor => _executor;

    /// <summary>The bucket a request goes through, and what it costs there.</summary>
    /// <param name="requestContext">The request.</param>
    /// <param name="client">The client making it, through which a bucket it makes reads its account's quota; null for none.</param>
    /// <exception cref="ArgumentOutOfRangeException">The request costs more than <see cref="AwsServiceThrottlingOptions.MaxCost"/>; it is not sent.</exception>
    public (AwsBucket Bucket, int Cost) Route(IRequestContext requestContext, object? client = null)
    {
        var options = _options;
        var request = requestContext.OriginalRequest;
        var operation = AwsThrottlingRules.OperationName(request);
        string group;
        if (options.Operations.ContainsKey(operation))
        {
            group = operation;
        }
        else if (Rules.Spends(requestContext.ClientConfig?.ServiceId, operation))
        {
            group = string.Empty;
        }
        else
        {
            return (GetBucket(new AwsPartition(Key, AwsPartition.Any, AwsPartition.Any, Unmetered), client: null), 1);
        }

        var cost = Rules.Cost(request);
        if (cost > options.MaxCost)
        {
            throw new ArgumentOutOfRangeException(
                nameof(requestContext),
                cost,
                $"The {operation} request would cost {cost} permits, more than {Key}'s MaxCost of {options.MaxCost}" +
                (AwsServiceCatalog.Find(Key)?.ServiceMaxCostReason is { } reason ? $" ({reason})." : ".") +
                " It was not sent.");
        }

        return (GetBucket(new AwsPartition(Key, AwsPartition.RegionOf(requestContext), AwsPartition.AccountOf(requestContext, _settings.AccountId), group), client), cost);
    }

    /// <summary>
    /// The priority and flow a request made outside any <see cref="PriorityScope"/> has by the service's
    /// <see cref="AwsServiceThrottlingOptions.Priorities"/>; <see langword="null"/> when they read nothing from requests.
    /// </summary>
    public RequestPriority? PriorityOf(AmazonWebServiceRequest request)
    {
        var rules = _options.Priorities;
        if (rules.By is null && rules.FlowBy is null)
        {
            return null;
        }

        var priority = rules.By is { } by && RequestProperty.Read(request, by) is { } value && rules.Values.TryGetValue(value, out var mapped)
            ? mapped
            : ThrottlePriority.Normal;
        return new RequestPriority(priority, rules.FlowBy is { } flowBy ? RequestProperty.Read(request, flowBy) : null);
    }

    /// <summary>Takes up settings that changed while running: each bucket's rate at once, and the backoff for the next call.</summary>
    public void Apply(AwsServiceThrottlingOptions options, AwsBucketSettings settings)
    {
        _options = options;
        _settings = settings;
        _built = Build(options);
        foreach (var bucket in Buckets())
        {
            if (bucket.Partition.Operation != Unmetered)
            {
                SetRate(bucket.Limiter, options, bucket.Partition, bucket.Throttling.DailyQuota?.Current?.MaxPermitsPerSecond);
            }
        }

        _executor.Reset();
        if (!_buckets.IsEmpty)
        {
            EnsureSweeping();
        }
    }

    public IEnumerable<AwsBucket> Buckets() => _buckets.Values.Where(b => b.IsValueCreated).Select(b => b.Value);

    public void Dispose()
    {
        lock (_mapLock)
        {
            _sweeper?.Dispose();
            _sweeper = null;
        }

        foreach (var bucket in Buckets())
        {
            bucket.Dispose();
        }
    }

    /// <summary>
    /// Lets go of every bucket unused for the idle timeout with nothing queued: removed from the map (a call that found it
    /// just before still spends it: its limiter is not disposed, and holds no timer), its account-quota reading stopped.
    /// The keyed executor's bucket is kept while the service runs.
    /// </summary>
    /// <returns>How many buckets were let go.</returns>
    public int EvictIdle()
    {
        // Timer callbacks may overlap when a sweep of many buckets outlasts the period: one sweep at a time.
        if (Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return 0;
        }

        try
        {
            var timeout = _settings.IdleTimeout;
            var executorPartition = ExecutorPartition();
            var map = _buckets;
            var evicted = 0;
            foreach (var entry in map)
            {
                if (!entry.Value.IsValueCreated || entry.Key.Operation == Unmetered || entry.Key == executorPartition)
                {
                    continue;
                }

                var bucket = entry.Value.Value;
                if (bucket.Limiter.IdleDuration is { } idle && idle >= timeout
                    && (bucket.Limiter.GetStatistics()?.CurrentQueuedCount ?? 0) == 0
                    && ((ICollection<KeyValuePair<AwsPartition, Lazy<AwsBucket>>>)map).Remove(entry))
                {
                    bucket.Evict();
                    evicted++;
                }
            }

            if (evicted > 0)
            {
                Shrink();
                AwsLog.IdleBucketsEvicted(_context.Logger, Key, evicted, timeout);
            }

            return evicted;
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    /// <summary>
    /// A dictionary keeps the table of its largest size: once three quarters of its buckets are gone, the ones left move to
    /// a map of their size, so that an app that ran through many accounts returns to the memory of the few it still uses.
    /// Buckets are only added under the same lock, so none is lost in the move; a call reading the old map finds the same bucket.
    /// </summary>
    private void Shrink()
    {
        lock (_mapLock)
        {
            var map = _buckets;
            if (map.Count * 4 < _peakBuckets)
            {
                _buckets = new ConcurrentDictionary<AwsPartition, Lazy<AwsBucket>>(map);
                _peakBuckets = map.Count;
            }
        }
    }

    private static AwsRateLimitOptions RateLimitOf(AwsServiceThrottlingOptions options, AwsPartition partition)
    {
        if (partition.Operation.Length > 0 && options.Operations.TryGetValue(partition.Operation, out var operation))
        {
            return operation;
        }

        return options.Regions.TryGetValue(partition.Region, out var region) ? region : options.RateLimit;
    }

    /// <summary>A rate read from the account, capped by the rate the user set for the bucket (not by a default ThrottleKit put there).</summary>
    private static double Capped(double reading, AwsRateLimitOptions rateLimit)
        => rateLimit.IsRateSet ? Math.Min(reading, rateLimit.PermitsPerSecond) : reading;

    private AwsBucket GetBucket(AwsPartition partition, object? client)
    {
        // Every call of every client comes here: the bucket it finds costs no allocation.
        if (_buckets.TryGetValue(partition, out var existing))
        {
            return existing.Value;
        }

        Lazy<AwsBucket> created;
        lock (_mapLock)
        {
            var map = _buckets;
            if (!map.TryGetValue(partition, out created!))
            {
                created = new Lazy<AwsBucket>(() => CreateBucket(partition, client));
                map[partition] = created;
                _peakBuckets = Math.Max(_peakBuckets, map.Count);
            }
        }

        // Made outside the lock (a store's limiter may take a while); the Lazy makes it once.
        var bucket = created.Value;
        EnsureSweeping();
        return bucket;
    }

    /// <summary>One timer for the service, checking for idle buckets every half of the idle timeout (started with the first bucket).</summary>
    private void EnsureSweeping()
    {
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond / 2, _settings.IdleTimeout.Ticks / 2));
        if (Volatile.Read(ref _sweeper) is not null && _sweepPeriod == period)
        {
            return;
        }

        lock (_mapLock)
        {
            if (_sweeper is null || _sweepPeriod != period)
            {
                _sweeper?.Dispose();
                _sweepPeriod = period;
                _sweeper = _context.TimeProvider.CreateTimer(static state => ((ServiceThrottle)state!).EvictIdle(), this, period, period);
            }
        }
    }

    private static ThrottlingBucket? BucketOfCall(ThrottlingBucketArguments arguments)
        => arguments.Context.Properties.TryGetValue(AwsBucket.CallKey, out var bucket) ? bucket : null;

    private Built Build(AwsServiceThrottlingOptions options)
    {
        // One pipeline serves every bucket of the service: each call brings its own, as any user's bucket selector would.
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _context.TimeProvider, Name = "ThrottleKit", InstanceName = Key }
            .AddThrottling(new ThrottlingStrategyOptions { BucketSelector = BucketOfCall, Classifier = _classifier, Backoff = options.Backoff, RetryAfter = AwsRetryAfter.Of, MaxRetryAfter = AwsRetryAfter.MaxWait })
            .Build();
        return new Built(pipeline, options.Backoff.MaxRetries + 1);
    }

    private AwsBucket CreateBucket(AwsPartition partition, object? client)
    {
        var options = _options;
        var telemetry = _telemetry.GetOrAdd((partition.Region, partition.Operation), _ => _context.Telemetry(partition));
        if (partition.Operation != Unmetered)
        {
            var unknown = partition.Account == AwsPartition.Any;
            if (unknown)
            {
                AwsLog.AccountUnknown(_context.Logger, partition.BucketName);
            }

            NoteAccountKind(partition.Region, unknown ? 1 : 2);
        }

        AwsBucket bucket;
        if (partition.Operation == Unmetered)
        {
            bucket = new AwsBucket(partition, UnmeteredRateLimiter.Instance, ownsLimiter: false, accountQuota: null, telemetry);
        }
        else
        {
            RateLimiter limiter = _context.Store.CreateLimiter(partition.BucketName, RateLimitOf(options, partition), _context.TimeProvider);
            var serviceRate = partition.Operation.Length == 0;
            if (serviceRate && options.Adaptive.Enabled)
            {
                limiter = new AdaptiveRateLimiter(limiter, options.Adaptive, _context.TimeProvider, telemetry);
            }

            var accountQuota = serviceRate && options.ReadAccountQuota && client is not null && _context.AccountQuotaReader(Key, client) is { } read
                ? new AccountQuotaMonitor(read, options.AccountQuota, ReadingSetter(limiter, partition), _context.TimeProvider, telemetry)
                : null;
            bucket = new AwsBucket(partition, limiter, ownsLimiter: true, accountQuota, telemetry);
            telemetry.TrackRate(limiter);
        }

        return bucket;
    }

    /// <summary>
    /// Says once per Region when calls that name their account and calls that name none both made buckets there: for an app of
    /// one account that is its quota split in two, which only a configured account id mends.
    /// </summary>
    private void NoteAccountKind(string region, int kind)
    {
        while (true)
        {
            var seen = _accountKinds.GetOrAdd(region, 0);
            if ((seen & kind) != 0)
            {
                return;
            }

            // One update turns the Region's kinds into both: it alone says so.
            if (_accountKinds.TryUpdate(region, seen | kind, seen))
            {
                if ((seen | kind) == 3)
                {
                    AwsLog.AccountSplit(_context.Logger, Key, region);
                }

                return;
            }
        }
    }

    /// <summary>The keyed executor's calls name no Region and carry no credentials: the configured ones say whose bucket they spend.</summary>
    private AwsPartition ExecutorPartition()
    {
        var settings = _settings;
        return new AwsPartition(Key, settings.Region ?? AwsPartition.Any, settings.AccountId ?? AwsPartition.Any, string.Empty);
    }

    private ThrottledExecutor CreateExecutor()
    {
        var bucket = GetBucket(ExecutorPartition(), client: null);
        return new ThrottledExecutor(
            new ThrottlingStrategyOptions { RateLimiter = bucket.Limiter, Classifier = _classifier, Backoff = _options.Backoff, RetryAfter = AwsRetryAfter.Of, MaxRetryAfter = AwsRetryAfter.MaxWait, DailyQuota = null, Telemetry = bucket.Throttling.Telemetry },
            _context.TimeProvider);
    }

    private sealed record Built(ResiliencePipeline Pipeline, int MaxAttempts);

    /// <summary>
    /// Sets a bucket's rate from the settings in force and the account's reading, if any: an adaptive bucket's ceiling is the
    /// lower of its configured maximum and the reading; any other bucket runs at the reading capped by a rate the user set,
    /// or at the configured rate.
    /// </summary>
    private static void SetRate(RateLimiter limiter, AwsServiceThrottlingOptions options, AwsPartition partition, double? reading)
    {
        if (limiter is AdaptiveRateLimiter adaptive)
        {
            adaptive.SetMaxRate(Math.Min(reading ?? double.PositiveInfinity, options.Adaptive.MaxPermitsPerSecond));
        }
        else if (limiter is IAdjustableRateLimiter adjustable)
        {
            var rateLimit = RateLimitOf(options, partition);
            var rate = reading is { } read ? Capped(read, rateLimit) : rateLimit.PermitsPerSecond;
            if (adjustable.PermitsPerSecond != rate)
            {
                adjustable.SetRate(rate);
            }
        }
    }

    /// <summary>How a reading of the account's rate reaches the bucket, under the settings in force when it comes.</summary>
    private Action<double>? ReadingSetter(RateLimiter limiter, AwsPartition partition)
        => limiter is IAdjustableRateLimiter ? reading => SetRate(limiter, _options, partition, reading) : null;
}
