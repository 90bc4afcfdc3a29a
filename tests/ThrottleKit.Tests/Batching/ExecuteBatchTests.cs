using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using ThrottleKit;
using ThrottleKit.Tests.Support;

namespace ThrottleKit.Tests.Batching;

/// <summary>
/// <see cref="IThrottledExecutor.ExecuteBatchAsync{TItem, TResponse}"/> against fake services whose answers have the shapes of
/// Connect Campaigns' <c>PutDialRequestBatch</c> (failed requests by client token) and SES's <c>SendBulkTemplatedEmail</c>
/// (one status per destination, in order).
/// </summary>
public sealed class ExecuteBatchTests : IDisposable
{
    private static readonly IThrottlingClassifier ThrottleIsRetriable = ThrottlingClassifier.Create(
        e => e is ThrottleException ? ThrottlingClassification.Retriable : ThrottlingClassification.Unknown);

    private readonly ObservableTimeProvider _time = new();
    private readonly List<IDisposable> _disposables = [];
    private readonly DateTimeOffset _start;

    public ExecuteBatchTests() => _start = _time.GetUtcNow();

    public void Dispose()
    {
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        _time.Dispose();
    }

    [Fact]
    public async Task Connect_style_partial_throttles_resend_only_the_throttled_requests_after_the_backoff()
    {
        var executor = Create(maxRetries: 3);
        var service = new DialService(Elapsed, throttleFirstTime: token => int.Parse(token[4..], System.Globalization.CultureInfo.InvariantCulture) % 3 == 0);
        var requests = Enumerable.Range(0, 60).Select(i => new DialRequest($"tok-{i}")).ToArray();

        var run = executor.ExecuteBatchAsync(requests, 25, service.PutDialRequestBatchAsync, ReadDialOutcomes);

        await _time.WaitForTimerAsync();
        Assert.Equal([25, 25, 10], service.Calls.Select(c => c.Tokens.Count));
        Assert.All(service.Calls, c => Assert.Equal(TimeSpan.Zero, c.At));
        _time.Advance(TimeSpan.FromMilliseconds(9));
        Assert.Equal(3, service.CallCount);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        var results = await run;

        var retry = Assert.Single(service.Calls.Skip(3));
        Assert.Equal(TimeSpan.FromMilliseconds(10), retry.At);
        Assert.Equal(requests.Where((_, i) => i % 3 == 0).Select(r => r.ClientToken), retry.Tokens);
        Assert.Equal(requests, results.Select(r => r.Item));
        Assert.All(results, r => Assert.Equal(BatchItemStatus.Succeeded, r.Status));
        Assert.All(results, r => Assert.Equal(r.Index % 3 == 0 ? 2 : 1, r.Attempts));
        Assert.All(requests, r => Assert.Equal(1, service.AcceptedCount(r.ClientToken)));
    }

    [Fact]
    public async Task Ses_style_statuses_retry_AccountThrottled_and_never_resend_a_rejected_destination()
    {
        var executor = Create(maxRetries: 3);
        var calls = new List<string[]>();
        var throttledOnce = new HashSet<string>();
        var destinations = new[] { "a@x", "throttle@x", "reject@x", "b@x" };

        var run = executor.ExecuteBatchAsync(
            destinations,
            50,
            (batch, _) =>
            {
                calls.Add([.. batch]);
                var statuses = batch.Select(d => d.StartsWith("reject", StringComparison.Ordinal) ? "MessageRejected"
                    : d.StartsWith("throttle", StringComparison.Ordinal) && throttledOnce.Add(d) ? "AccountThrottled"
                    : "Success").ToList();
                return Task.FromResult(new BulkEmailResponse(statuses));
            },
            (response, _) => response.Status.Select(s => s switch
            {
                "Success" => BatchItemOutcome.Succeeded(),
                "AccountThrottled" => BatchItemOutcome.Throttled(s),
                _ => BatchItemOutcome.Failed(s),
            }).ToList());

        await _time.WaitForTimerAsync();
        _time.Advance(TimeSpan.FromMilliseconds(10));
        var results = await run;

        Assert.Equal([destinations, ["throttle@x"]], calls);
        Assert.Equal(
            [BatchItemStatus.Succeeded, BatchItemStatus.Succeeded, BatchItemStatus.Failed, BatchItemStatus.Succeeded],
            results.Select(r => r.Status));
        Assert.Equal("MessageRejected", results[2].Detail);
        Assert.Equal(1, results[2].Attempts);
        Assert.Equal(2, results[1].Attempts);
    }

    [Fact]
    public async Task Items_still_throttled_after_the_last_retry_end_Throttled_having_been_sent_at_the_backoff_times()
    {
        var executor = Create(maxRetries: 3);
        var service = new DialService(Elapsed, throttleAlways: token => token == "tok-1");
        var run = executor.ExecuteBatchAsync([new DialRequest("tok-0"), new DialRequest("tok-1")], 25, service.PutDialRequestBatchAsync, ReadDialOutcomes);

        foreach (var delay in new[] { 10, 20, 40 })
        {
            await _time.WaitForTimerAsync();
            _time.Advance(TimeSpan.FromMilliseconds(delay));
        }

        var results = await run;

        Assert.Equal([0, 10, 30, 70], service.Calls.Select(c => (int)c.At.TotalMilliseconds));
        Assert.Equal(BatchItemStatus.Succeeded, results[0].Status);
        Assert.Equal(BatchItemStatus.Throttled, results[1].Status);
        Assert.Equal(4, results[1].Attempts);
        Assert.Equal("RequestThrottled", results[1].Detail);
    }

    [Fact]
    public async Task A_terminal_failure_of_a_whole_call_fails_its_items_with_that_exception_and_later_batches_still_go()
    {
        var executor = Create(maxRetries: 3);
        var failure = new InvalidOperationException("Bad request");
        var calls = 0;

        var results = await executor.ExecuteBatchAsync(
            ["a", "b", "c"],
            2,
            (batch, _) => ++calls == 1 ? Task.FromException<IReadOnlyList<string>>(failure) : Task.FromResult(batch),
            (sent, _) => sent.Select(_ => BatchItemOutcome.Succeeded()).ToList());

        Assert.Equal(2, calls);
        Assert.Equal([BatchItemStatus.Failed, BatchItemStatus.Failed, BatchItemStatus.Succeeded], results.Select(r => r.Status));
        Assert.Same(failure, results[0].Exception);
        Assert.Same(failure, results[1].Exception);
        Assert.Null(results[2].Exception);
    }

    [Fact]
    public async Task A_throttle_of_the_whole_call_is_retried_by_the_executor_and_counts_as_one_attempt_per_item()
    {
        var executor = Create(maxRetries: 3);
        var calls = 0;
        var run = executor.ExecuteBatchAsync(
            ["a", "b"],
            25,
            (batch, _) => ++calls == 1 ? Task.FromException<IReadOnlyList<string>>(new ThrottleException()) : Task.FromResult(batch),
            (sent, _) => sent.Select(_ => BatchItemOutcome.Succeeded()).ToList());

        await _time.WaitForTimerAsync();
        _time.Advance(TimeSpan.FromMilliseconds(10));
        var results = await run;

        Assert.Equal(2, calls);
        Assert.All(results, r => Assert.Equal((BatchItemStatus.Succeeded, 1), (r.Status, r.Attempts)));
    }

    [Fact]
    public async Task Each_call_takes_the_sum_of_its_items_costs_and_a_partial_throttle_is_fed_back_once_per_answer()
    {
        using var limiter = new RecordingLimiter();
        var executor = new ThrottledExecutor(new ThrottlingStrategyOptions { RateLimiter = limiter, Backoff = new ExponentialBackoffOptions { MaxRetries = 3 }, Classifier = ThrottleIsRetriable }, _time);
        var throttled = false;
        var run = executor.ExecuteBatchAsync(
            [3, 1, 4, 1, 5],
            3,
            (batch, _) => Task.FromResult(batch),
            (sent, _) => sent.Select(n => n == 4 && !throttled ? BatchItemOutcome.Throttled() : BatchItemOutcome.Succeeded()).ToList(),
            itemCost: n => n);

        await _time.WaitForTimerAsync();
        throttled = true;
        _time.Advance(TimeSpan.FromMilliseconds(10));
        await run;

        Assert.Equal([8, 6, 4], limiter.Permits);
        Assert.Equal(1, limiter.Throttles);
    }

    [Fact]
    public async Task Cancelling_during_the_backoff_returns_every_result_with_the_unanswered_items_Canceled()
    {
        var executor = Create(maxRetries: 3);
        using var cancellation = new CancellationTokenSource();
        var service = new DialService(Elapsed, throttleAlways: token => token == "tok-1");
        var run = executor.ExecuteBatchAsync([new DialRequest("tok-0"), new DialRequest("tok-1")], 25, service.PutDialRequestBatchAsync, ReadDialOutcomes, cancellationToken: cancellation.Token);

        await _time.WaitForTimerAsync();
        await cancellation.CancelAsync();
        var results = await run;

        Assert.Equal([BatchItemStatus.Succeeded, BatchItemStatus.Canceled], results.Select(r => r.Status));
        Assert.Equal(1, service.CallCount);
    }

    [Fact]
    public async Task A_reader_that_does_not_answer_for_every_item_is_a_clear_error()
    {
        var executor = Create(maxRetries: 3);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => executor.ExecuteBatchAsync(
            ["a", "b", "c"], 25, (batch, _) => Task.FromResult(batch), (_, _) => [BatchItemOutcome.Succeeded()]));

        Assert.Contains("1 outcomes for a batch of 3 items", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Arguments_are_checked_and_named()
    {
        var executor = Create(maxRetries: 3);
        var size = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => executor.ExecuteBatchAsync(
            ["a"], 0, (batch, _) => Task.FromResult(batch), (sent, _) => [BatchItemOutcome.Succeeded()]));
        Assert.Equal(("maxBatchSize", (object?)0), (size.ParamName, size.ActualValue));

        var items = await Assert.ThrowsAsync<ArgumentNullException>(() => executor.ExecuteBatchAsync<string, int>(
            null!, 1, (_, _) => Task.FromResult(0), (_, _) => []));
        Assert.Equal("items", items.ParamName);
    }

    [Fact]
    public async Task An_empty_list_makes_no_call()
    {
        var executor = Create(maxRetries: 3);
        var calls = 0;
        var results = await executor.ExecuteBatchAsync(Array.Empty<string>(), 25, (batch, _) => { calls++; return Task.FromResult(batch); }, (sent, _) => []);

        Assert.Empty(results);
        Assert.Equal(0, calls);
    }

    private static List<BatchItemOutcome> ReadDialOutcomes(DialResponse response, IReadOnlyList<DialRequest> sent)
    {
        // As a caller would read PutDialRequestBatch: failedRequests name their clientToken; the rest succeeded.
        var failed = response.FailedRequests.ToDictionary(f => f.ClientToken, f => f.FailureCode, StringComparer.Ordinal);
        return [.. sent.Select(r => failed.TryGetValue(r.ClientToken, out var code)
            ? code == "RequestThrottled" ? BatchItemOutcome.Throttled(code) : BatchItemOutcome.Failed(code)
            : BatchItemOutcome.Succeeded())];
    }

    private TimeSpan Elapsed() => _time.GetUtcNow() - _start;

    private ThrottledExecutor Create(int maxRetries)
        => new(
            new ThrottlingStrategyOptions
            {
                RateLimiter = Track(new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 1000, Burst = 1000 }, _time)),
                Backoff = new ExponentialBackoffOptions { MinDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromSeconds(5), MaxRetries = maxRetries },
                Classifier = ThrottleIsRetriable,
            },
            _time);

    private T Track<T>(T disposable)
        where T : IDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }

    private sealed record DialRequest(string ClientToken);

    private sealed record FailedRequest(string ClientToken, string FailureCode);

    private sealed record DialResponse(IReadOnlyList<string> SuccessfulRequests, IReadOnlyList<FailedRequest> FailedRequests);

    private sealed record BulkEmailResponse(IReadOnlyList<string> Status);

    private sealed record DialCall(TimeSpan At, IReadOnlyList<string> Tokens);

    /// <summary>A PutDialRequestBatch stand-in: it throttles the tokens it is told to, and counts what it accepted.</summary>
    private sealed class DialService(Func<TimeSpan> now, Func<string, bool>? throttleFirstTime = null, Func<string, bool>? throttleAlways = null)
    {
        private readonly HashSet<string> _throttledOnce = [];
        private readonly Dictionary<string, int> _accepted = [];
        private readonly List<DialCall> _calls = [];

        public IReadOnlyList<DialCall> Calls
        {
            get
            {
                lock (_calls)
                {
                    return [.. _calls];
                }
            }
        }

        public int CallCount => Calls.Count;

        public int AcceptedCount(string token)
        {
            lock (_calls)
            {
                return _accepted.GetValueOrDefault(token);
            }
        }

        public Task<DialResponse> PutDialRequestBatchAsync(IReadOnlyList<DialRequest> batch, CancellationToken cancellationToken)
        {
            lock (_calls)
            {
                _calls.Add(new DialCall(now(), [.. batch.Select(r => r.ClientToken)]));
                var successful = new List<string>();
                var failed = new List<FailedRequest>();
                foreach (var request in batch)
                {
                    var token = request.ClientToken;
                    if (throttleAlways?.Invoke(token) == true || (throttleFirstTime?.Invoke(token) == true && _throttledOnce.Add(token)))
                    {
                        failed.Add(new FailedRequest(token, "RequestThrottled"));
                    }
                    else
                    {
                        successful.Add(token);
                        _accepted[token] = _accepted.GetValueOrDefault(token) + 1;
                    }
                }

                return Task.FromResult(new DialResponse(successful, failed));
            }
        }
    }


    /// <summary>Grants everything and records what was asked; also takes the executor's throttle feedback.</summary>
    private sealed class RecordingLimiter : RateLimiter, IRateFeedback
    {
        public List<int> Permits { get; } = [];

        public int Throttles { get; private set; }

        public override TimeSpan? IdleDuration => null;

        public void OnAccepted(int permits)
        {
        }

        public void OnThrottled() => Throttles++;

        public override RateLimiterStatistics? GetStatistics() => null;

        protected override RateLimitLease AttemptAcquireCore(int permitCount) => Grant(permitCount);

        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) => new(Grant(permitCount));

        private Lease Grant(int permitCount)
        {
            lock (Permits)
            {
                Permits.Add(permitCount);
            }

            return new Lease();
        }

        private sealed class Lease : RateLimitLease
        {
            public override bool IsAcquired => true;

            public override IEnumerable<string> MetadataNames => [];

            public override bool TryGetMetadata(string metadataName, out object? metadata)
            {
                metadata = null;
                return false;
            }
        }
    }
}
