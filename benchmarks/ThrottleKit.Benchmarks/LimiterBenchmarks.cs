using System;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Polly;
using Polly.RateLimiting;
using BclTokenBucket = System.Threading.RateLimiting.TokenBucketRateLimiter;
using BclTokenBucketOptions = System.Threading.RateLimiting.TokenBucketRateLimiterOptions;

namespace ThrottleKit.Benchmarks;

/// <summary>
/// The cost of taking one permit (and releasing the lease) when permits are plentiful: ThrottleKit's limiter against
/// System.Threading.RateLimiting's at the same rate, alone and inside a Polly rate-limiter pipeline, uncontended and with
/// two threads contending. Both buckets are set so large that they never run dry during a run.
/// </summary>
[MemoryDiagnoser]
public class LimiterBenchmarks
{
    private const int PerThread = 4096;

    private BclTokenBucket _bcl = null!;
    private GcraRateLimiter _throttleKit = null!;
    private ResiliencePipeline _bclPipeline = null!;
    private ResiliencePipeline _throttleKitPipeline = null!;

    [GlobalSetup]
    public void Setup()
    {
        // One million permits per second, replenished every millisecond: plenty for any benchmark loop.
        _bcl = new BclTokenBucket(new BclTokenBucketOptions
        {
            TokenLimit = 1_000_000_000,
            TokensPerPeriod = 1_000_000,
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(1),
            AutoReplenishment = true,
            QueueLimit = 0,
        });
        _throttleKit = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 1_000_000_000, Burst = 1_000_000_000 });
        _bclPipeline = new ResiliencePipelineBuilder().AddRateLimiter(_bcl).Build();
        _throttleKitPipeline = new ResiliencePipelineBuilder().AddRateLimiter(_throttleKit).Build();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _bcl.Dispose();
        _throttleKit.Dispose();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("AttemptAcquire")]
    public bool Bcl_AttemptAcquire()
    {
        using var lease = _bcl.AttemptAcquire(1);
        return lease.IsAcquired;
    }

    [Benchmark]
    [BenchmarkCategory("AttemptAcquire")]
    public bool ThrottleKit_AttemptAcquire()
    {
        using var lease = _throttleKit.AttemptAcquire(1);
        return lease.IsAcquired;
    }

    /// <summary>The floor of a limiter without a timer: one read of the monotonic clock, as <see cref="TimeProvider.System"/> gives it.</summary>
    [Benchmark]
    [BenchmarkCategory("AttemptAcquire")]
    public long ClockRead() => TimeProvider.System.GetTimestamp();

    [Benchmark]
    public async ValueTask<bool> Bcl_AcquireAsync()
    {
        using var lease = await _bcl.AcquireAsync(1);
        return lease.IsAcquired;
    }

    [Benchmark]
    public async ValueTask<bool> ThrottleKit_AcquireAsync()
    {
        using var lease = await _throttleKit.AcquireAsync(1);
        return lease.IsAcquired;
    }

    [Benchmark]
    public ValueTask Polly_Bcl_Pipeline() => _bclPipeline.ExecuteAsync(static _ => ValueTask.CompletedTask);

    [Benchmark]
    public ValueTask Polly_ThrottleKit_Pipeline() => _throttleKitPipeline.ExecuteAsync(static _ => ValueTask.CompletedTask);

    [Benchmark(OperationsPerInvoke = 2 * PerThread)]
    public void Bcl_TwoThreadsContending() => Contend(_bcl);

    [Benchmark(OperationsPerInvoke = 2 * PerThread)]
    public void ThrottleKit_TwoThreadsContending() => Contend(_throttleKit);

    private static void Contend(RateLimiter limiter)
    {
        using var start = new Barrier(2);
        var other = new Thread(() => Loop(limiter, start));
        other.Start();
        Loop(limiter, start);
        other.Join();
    }

    private static void Loop(RateLimiter limiter, Barrier start)
    {
        start.SignalAndWait();
        for (var i = 0; i < PerThread; i++)
        {
            limiter.AttemptAcquire(1).Dispose();
        }
    }
}
