using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ThrottleKit;
using ThrottleKit.Tests.Support;

namespace ThrottleKit.Tests.Quota;

public sealed class AccountQuotaMonitorTests : IDisposable
{
    private readonly ObservableTimeProvider _time = new();
    private readonly List<IDisposable> _disposables = [];

    public void Dispose()
    {
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        _time.Dispose();
    }

    [Fact]
    public void The_quota_is_read_at_once_then_every_interval_and_each_new_rate_is_handed_to_the_limiter()
    {
        var rates = new Queue<double>([14, 14, 50]);
        var reads = 0;
        var applied = new List<double>();
        using var monitor = new AccountQuotaMonitor(
            _ => { reads++; return Task.FromResult(new AccountQuota(rates.Dequeue())); },
            new AccountQuotaOptions { RefreshInterval = TimeSpan.FromSeconds(30) },
            applied.Add,
            _time);

        Assert.Equal(1, reads);
        _time.Advance(TimeSpan.FromSeconds(29.999));
        Assert.Equal(1, reads);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, reads);
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(3, reads);
        Assert.Equal([14, 50], applied);
        Assert.Equal(50, monitor.Current!.MaxPermitsPerSecond);
    }

    [Fact]
    public void The_default_interval_is_a_minute_and_one_under_a_second_is_refused_by_name()
    {
        Assert.Equal(TimeSpan.FromMinutes(1), new AccountQuotaOptions().RefreshInterval);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AccountQuotaMonitor(
            _ => Task.FromResult(new AccountQuota(1)), new AccountQuotaOptions { RefreshInterval = TimeSpan.FromMilliseconds(999) }, timeProvider: _time));

        Assert.Equal(("RefreshInterval", (object?)TimeSpan.FromMilliseconds(999)), (error.ParamName, error.ActualValue));
    }

    [Fact]
    public void A_failed_read_is_logged_without_its_message_and_the_last_reading_stays_until_the_next_succeeds()
    {
        var logs = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)));
        var applied = new List<double>();
        var answers = new Queue<Func<Task<AccountQuota>>>([
            () => Task.FromResult(new AccountQuota(14)),
            () => Task.FromException<AccountQuota>(new InvalidOperationException("secret@example.com")),
            () => Task.FromResult(new AccountQuota(20)),
        ]);
        using var monitor = new AccountQuotaMonitor(_ => answers.Dequeue()(), new AccountQuotaOptions { RefreshInterval = TimeSpan.FromSeconds(1) }, applied.Add, _time, new ThrottleKitTelemetry("SES", loggerFactory));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(14, monitor.Current!.MaxPermitsPerSecond);
        var failure = Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 1010);
        Assert.Equal(LogLevel.Warning, failure.Level);
        Assert.DoesNotContain("secret", failure.Message, StringComparison.Ordinal);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([14, 20], applied);
    }

    [Fact]
    public async Task A_slow_read_is_not_overlapped_by_the_next_tick()
    {
        var reads = 0;
        var pending = new TaskCompletionSource<AccountQuota>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var monitor = new AccountQuotaMonitor(_ => { reads++; return pending.Task; }, new AccountQuotaOptions { RefreshInterval = TimeSpan.FromSeconds(1) }, timeProvider: _time);

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(1, reads);

        pending.SetResult(new AccountQuota(3));
        await WaitUntilAsync(() => monitor.Current is not null);
        pending = new TaskCompletionSource<AccountQuota>(TaskCreationOptions.RunContinuationsAsynchronously);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, reads);
    }

    [Fact]
    public async Task Once_the_24_hour_quota_is_spent_calls_fail_fast_unsent_and_failed_calls_give_their_permits_back()
    {
        using var monitor = new AccountQuotaMonitor(_ => Task.FromResult(new AccountQuota(100, max24HourPermits: 10, usedLast24Hours: 5)), new AccountQuotaOptions(), timeProvider: _time);
        var executor = CreateExecutor(monitor);
        var sent = 0;

        await executor.ExecuteAsync(_ => { sent++; return Task.CompletedTask; }, cost: 2);
        await Assert.ThrowsAsync<InvalidOperationException>(() => executor.ExecuteAsync(_ => { sent++; throw new InvalidOperationException("refused"); }, cost: 2));
        Assert.Equal(3, monitor.Remaining24HourPermits);
        await executor.ExecuteAsync(_ => { sent++; return Task.CompletedTask; }, cost: 3);

        var error = await Assert.ThrowsAsync<DailyQuotaExceededException>(() => executor.ExecuteAsync(_ => { sent++; return Task.CompletedTask; }));

        Assert.Equal(3, sent);
        Assert.Equal((10d, 10d, 1), (error.Max24HourPermits, error.UsedLast24Hours, error.RequestedPermits));
        Assert.Contains("10 of 10 used", error.Message, StringComparison.Ordinal);
        Assert.Contains("It was not sent", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_reading_replaces_the_local_count_and_frees_the_quota_again()
    {
        var used = 10d;
        using var monitor = new AccountQuotaMonitor(_ => Task.FromResult(new AccountQuota(100, 10, used)), new AccountQuotaOptions(), timeProvider: _time);
        var executor = CreateExecutor(monitor);
        await Assert.ThrowsAsync<DailyQuotaExceededException>(() => executor.ExecuteAsync(_ => Task.CompletedTask));

        used = 4;   // sends aged past 24 hours
        _time.Advance(TimeSpan.FromMinutes(1));

        await executor.ExecuteAsync(_ => Task.CompletedTask, cost: 6);
        Assert.Equal(0, monitor.Remaining24HourPermits);
    }

    [Theory]
    [InlineData(-1d, true)]      // SES's "unlimited"
    [InlineData(10d, false)]     // enforcement off
    public async Task Without_a_24_hour_limit_to_enforce_nothing_is_refused(double max24Hour, bool enforce)
    {
        using var monitor = new AccountQuotaMonitor(_ => Task.FromResult(new AccountQuota(100, max24Hour, 1000)), new AccountQuotaOptions { EnforceDailyQuota = enforce }, timeProvider: _time);
        var executor = CreateExecutor(monitor);

        await executor.ExecuteAsync(_ => Task.CompletedTask, cost: 50);

        Assert.Null(monitor.Remaining24HourPermits);
    }

    [Fact]
    public void A_quota_reading_checks_its_numbers()
    {
        Assert.Equal("maxPermitsPerSecond", Assert.Throws<ArgumentOutOfRangeException>(() => new AccountQuota(0)).ParamName);
        Assert.Equal("usedLast24Hours", Assert.Throws<ArgumentOutOfRangeException>(() => new AccountQuota(1, 10, -1)).ParamName);
        Assert.Null(new AccountQuota(1, -1).Max24HourPermits);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 1000 && !condition(); i++)
        {
            await Task.Delay(5);
        }

        Assert.True(condition());
    }

    private ThrottledExecutor CreateExecutor(AccountQuotaMonitor monitor)
    {
        var limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 1000, Burst = 1000 }, _time);
        var executor = new ThrottledExecutor(new ThrottlingStrategyOptions { RateLimiter = limiter, Backoff = new ExponentialBackoffOptions(), Classifier = ThrottlingClassifier.None, DailyQuota = monitor }, _time);
        _disposables.Add(limiter);
        return executor;
    }
}
