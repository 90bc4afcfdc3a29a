using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Polly;

namespace ThrottleKit.Tests.Http;

/// <summary>
/// A throttle that comes back as a result (an HTTP 429) is retried as a thrown one is, and a service's Retry-After holds back
/// the throttled call and every other call through the same bucket. Virtual time; each attempt records when it was sent.
/// </summary>
public sealed class ResultThrottlingTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly GcraRateLimiter _limiter;

    public ResultThrottlingTests()
    {
        Start = _time.GetUtcNow();
        _limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 100, Burst = 100 }, _time);
    }

    public void Dispose() => _limiter.Dispose();

    [Fact]
    public async Task A_429_is_retried_no_sooner_than_its_Retry_After_and_the_discarded_response_is_disposed()
    {
        var pipeline = Pipeline();
        var first = TooMany(retryAfterSeconds: 2);
        var answers = new Queue<HttpResponseMessage>([first, Ok()]);
        var sent = new List<TimeSpan>();

        var call = Begin(pipeline, () => { sent.Add(Now); return answers.Dequeue(); });
        _time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.Single(sent);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var response = await call.WaitAsync(Patience);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(2)], sent);
        Assert.Throws<ObjectDisposedException>(() => first.Content.ReadAsStream());
    }

    [Fact]
    public async Task Without_Retry_After_a_429_is_retried_after_the_backoff()
    {
        var pipeline = Pipeline();
        var answers = new Queue<HttpResponseMessage>([TooMany(retryAfterSeconds: null), Ok()]);
        var sent = new List<TimeSpan>();

        var call = Begin(pipeline, () => { sent.Add(Now); return answers.Dequeue(); });
        _time.Advance(TimeSpan.FromMilliseconds(9));
        Assert.Single(sent);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await call.WaitAsync(Patience);

        Assert.Equal([TimeSpan.Zero, TimeSpan.FromMilliseconds(10)], sent);
    }

    [Fact]
    public async Task Retry_After_holds_back_every_call_through_the_bucket_not_only_the_throttled_one()
    {
        var pipeline = Pipeline();
        var sentByOther = new List<TimeSpan>();
        var sentAfterPause = 0;
        var throttledOnce = false;

        var throttled = Begin(pipeline, () =>
        {
            if (throttledOnce)
            {
                Interlocked.Increment(ref sentAfterPause);
                return Ok();
            }

            throttledOnce = true;
            return TooMany(retryAfterSeconds: 3);
        });
        _time.Advance(TimeSpan.FromMilliseconds(500));
        var other = Begin(pipeline, () =>
        {
            lock (sentByOther)
            {
                sentByOther.Add(Now);
            }

            Interlocked.Increment(ref sentAfterPause);
            return Ok();
        });
        _time.Advance(TimeSpan.FromMilliseconds(2499));
        Assert.Empty(sentByOther);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        // When the pause ends the bucket has one permit, not the burst it would have saved up: the two calls go one
        // interval (10 ms at 100/s) apart, in either order. The clock moves on once both have been sent or have queued.
        await WaitUntilAsync(() => Volatile.Read(ref sentAfterPause) + _limiter.QueuedPermits == 2);
        _time.Advance(TimeSpan.FromMilliseconds(10));
        await Task.WhenAll(throttled, other).WaitAsync(Patience);

        Assert.InRange(Assert.Single(sentByOther), TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(3010));
    }

    [Fact]
    public async Task Callers_that_came_during_a_Retry_After_go_at_the_rate_after_it_not_all_at_once()
    {
        // Ten permits a second and a burst of ten: had the callers that came during the pause taken their permits then,
        // all eleven would be sent at the moment it ends, a burst that the service answers with the next 429s.
        using var limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 10, Burst = 10, QueueLimit = 100 }, _time);
        var pipeline = Pipeline(o => o.RateLimiter = limiter);
        var sent = 0;
        var throttledOnce = false;
        var calls = new List<Task<HttpResponseMessage>>
        {
            Begin(pipeline, () =>
            {
                Interlocked.Increment(ref sent);
                if (throttledOnce)
                {
                    return Ok();
                }

                throttledOnce = true;
                return TooMany(retryAfterSeconds: 1);
            }),
        };
        _time.Advance(TimeSpan.FromMilliseconds(500));
        calls.AddRange(Enumerable.Range(0, 10).Select(_ => Begin(pipeline, () => { Interlocked.Increment(ref sent); return Ok(); })));
        _time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.Equal(1, Volatile.Read(ref sent));

        // From the end of the pause, the limiter grants one permit, then one each 100 ms; the rest wait in its queue. The
        // eleven calls (the throttled one's retry and the ten) are counted once each has been sent or has queued.
        _time.Advance(TimeSpan.FromMilliseconds(1));
        for (var step = 0; step <= 10; step++)
        {
            await WaitUntilAsync(() => Volatile.Read(ref sent) - 1 + limiter.QueuedPermits == 11);
            Assert.Equal(10 - step, limiter.QueuedPermits);
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        await Task.WhenAll(calls).WaitAsync(Patience);
        Assert.Equal(12, Volatile.Read(ref sent));
    }

    [Fact]
    public async Task A_Retry_After_longer_than_MaxRetryAfter_is_cut_to_it()
    {
        var pipeline = Pipeline(o => o.MaxRetryAfter = TimeSpan.FromSeconds(5));
        var answers = new Queue<HttpResponseMessage>([TooMany(retryAfterSeconds: 120), Ok()]);
        var sent = new List<TimeSpan>();

        var call = Begin(pipeline, () => { sent.Add(Now); return answers.Dequeue(); });
        _time.Advance(TimeSpan.FromSeconds(5));
        await call.WaitAsync(Patience);

        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(5)], sent);
    }

    [Fact]
    public async Task When_retries_run_out_the_last_429_is_returned_to_the_caller_undisposed()
    {
        var pipeline = Pipeline(o => o.Backoff.MaxRetries = 2);
        var attempts = 0;

        var response = await RunAsync(pipeline, () => { attempts++; return TooMany(retryAfterSeconds: null); });

        Assert.Equal(3, attempts);
        Assert.Equal((HttpStatusCode)429, response.StatusCode);
        Assert.NotNull(response.Content.ReadAsStream());
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, null)]
    [InlineData(HttpStatusCode.ServiceUnavailable, null)]
    [InlineData(HttpStatusCode.BadRequest, 1)]
    public async Task Any_other_response_is_the_callers_after_one_attempt(HttpStatusCode status, int? retryAfterSeconds)
    {
        var pipeline = Pipeline();
        var attempts = 0;

        var response = await RunAsync(pipeline, () => { attempts++; return Answer(status, retryAfterSeconds); });

        Assert.Equal(1, attempts);
        Assert.Equal(status, response.StatusCode);
    }

    [Fact]
    public async Task A_503_with_Retry_After_is_a_throttle()
    {
        var pipeline = Pipeline();
        var answers = new Queue<HttpResponseMessage>([Answer(HttpStatusCode.ServiceUnavailable, 1), Ok()]);

        var response = await RunAsync(pipeline, answers.Dequeue);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(answers);
    }

    [Fact]
    public async Task The_adaptive_rate_learns_from_a_429_result()
    {
        using var adaptive = new AdaptiveRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 20, Burst = 20 }, new AdaptiveRateOptions(), _time);
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time }
            .AddThrottling(new ThrottlingStrategyOptions { RateLimiter = adaptive, Classifier = HttpThrottling.Classifier, ResultClassifier = HttpThrottling.ClassifyResult })
            .Build();
        var answers = new Queue<HttpResponseMessage>([TooMany(retryAfterSeconds: null), Ok()]);

        await RunAsync(pipeline, answers.Dequeue);

        Assert.True(adaptive.PermitsPerSecond < 20, $"rate {adaptive.PermitsPerSecond}/s after a 429");
    }

    [Fact]
    public void Retry_After_as_a_date_is_read_against_the_response_Date_so_a_skewed_client_clock_does_not_matter()
    {
        using var response = new HttpResponseMessage((HttpStatusCode)429);
        var serverNow = new DateTimeOffset(2001, 2, 3, 4, 5, 6, TimeSpan.Zero);
        response.Headers.Date = serverNow;
        response.Headers.RetryAfter = new RetryConditionHeaderValue(serverNow.AddSeconds(7));

        Assert.Equal(ResultThrottle.Throttled(TimeSpan.FromSeconds(7)), HttpThrottling.Classify(response));
    }

    /// <summary>How long a call whose clock has reached its moment may take on the real clock to finish (continuations on a busy machine).</summary>
    private static TimeSpan Patience => TimeSpan.FromSeconds(30);

    private TimeSpan Now => _time.GetUtcNow() - Start;

    private DateTimeOffset Start { get; }

    private static HttpResponseMessage Ok() => Answer(HttpStatusCode.OK, null);

    private static HttpResponseMessage TooMany(int? retryAfterSeconds) => Answer((HttpStatusCode)429, retryAfterSeconds);

    private static HttpResponseMessage Answer(HttpStatusCode status, int? retryAfterSeconds)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent("{}") };
        if (retryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
        }

        return response;
    }

    private ResiliencePipeline<HttpResponseMessage> Pipeline(Action<ThrottlingStrategyOptions>? configure = null)
    {
        var options = new ThrottlingStrategyOptions { RateLimiter = _limiter, Classifier = HttpThrottling.Classifier, ResultClassifier = HttpThrottling.ClassifyResult };
        configure?.Invoke(options);
        return new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time }.AddThrottling(options).Build();
    }

    /// <summary>Starts a call; the clock moves only when a test moves it, so one test has one driver of time.</summary>
    private static Task<HttpResponseMessage> Begin(ResiliencePipeline<HttpResponseMessage> pipeline, Func<HttpResponseMessage> send)
        => pipeline.ExecuteAsync(_ => ValueTask.FromResult(send())).AsTask();

    /// <summary>Runs a call to its end, moving the virtual clock a millisecond at a time while it waits.</summary>
    private async Task<HttpResponseMessage> RunAsync(ResiliencePipeline<HttpResponseMessage> pipeline, Func<HttpResponseMessage> send)
    {
        var call = Begin(pipeline, send);
        while (!call.IsCompleted)
        {
            await AdvanceAsync(TimeSpan.FromMilliseconds(1));
        }

        return await call;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The calls never reached the state the test waits for.");
            await Task.Delay(1);
        }
    }

    private async Task AdvanceAsync(TimeSpan by)
    {
        for (var moved = TimeSpan.Zero; moved < by; moved += TimeSpan.FromMilliseconds(1))
        {
            _time.Advance(TimeSpan.FromMilliseconds(1));
            await Task.Yield();
        }
    }
}
