using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Polly;

namespace ThrottleKit.Tests.Priorities;

/// <summary>
/// A call's priority reaches the limiter from every entry point: the Polly strategy's context property and the ambient
/// scope around an <see cref="IThrottledExecutor"/> call. Ten bulk calls wait in the queue; the urgent one goes first.
/// </summary>
public sealed class PriorityEntryPointTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly GcraRateLimiter _limiter;

    public PriorityEntryPointTests()
    {
        _limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 10, Burst = 1 }, _time);
        Assert.True(_limiter.AttemptAcquire().IsAcquired);
    }

    public void Dispose() => _limiter.Dispose();

    [Fact]
    public async Task Through_Polly_the_context_property_puts_the_call_before_the_bulk_queued_ahead_of_it()
    {
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddThrottling(new ThrottlingStrategyOptions { RateLimiter = _limiter, Classifier = ThrottlingClassifier.None })
            .Build();
        var sent = new ConcurrentQueue<string>();

        var bulk = Enumerable.Range(0, 10).Select(i => Run(pipeline, new RequestPriority(ThrottlePriority.Low), () => sent.Enqueue($"bulk {i}"))).ToArray();
        var urgent = Run(pipeline, new RequestPriority(ThrottlePriority.High), () => sent.Enqueue("urgent"));

        await GrantAsync(1, [.. bulk, urgent]);
        Assert.Equal(["urgent"], sent);
        // One grant at a time: the calls' continuations run on the thread pool, in any order within one step.
        for (var i = 0; i < 10; i++)
        {
            await GrantAsync(1, [.. bulk, urgent]);
        }

        Assert.Equal(["urgent", .. Enumerable.Range(0, 10).Select(i => $"bulk {i}")], sent);
    }

    [Fact]
    public async Task Through_an_executor_the_scope_around_the_call_puts_it_first()
    {
        var executor = new ThrottledExecutor(new ThrottlingStrategyOptions { RateLimiter = _limiter, Classifier = ThrottlingClassifier.None }, _time);
        var sent = new ConcurrentQueue<string>();
        Task Send(string name, ThrottlePriority priority)
        {
            using (PriorityScope.Enter(new RequestPriority(priority)))
            {
                return executor.ExecuteAsync(_ => { sent.Enqueue(name); return Task.CompletedTask; });
            }
        }

        var bulk = Enumerable.Range(0, 10).Select(i => Send($"bulk {i}", ThrottlePriority.Low)).ToArray();
        var urgent = Send("urgent", ThrottlePriority.High);

        await GrantAsync(1, [.. bulk, urgent]);
        Assert.Equal(["urgent"], sent);
    }

    private static Task Run(ResiliencePipeline pipeline, RequestPriority priority, Action send)
    {
        var context = ResilienceContextPool.Shared.Get();
        context.Properties.Set(ThrottlingProperties.Priority, priority);
        return pipeline.ExecuteAsync(_ => { send(); return ValueTask.CompletedTask; }, context).AsTask();
    }

    /// <summary>Moves the clock <paramref name="grants"/> intervals, then waits until that many calls have run.</summary>
    private async Task GrantAsync(int grants, Task[] calls)
    {
        var done = calls.Count(c => c.IsCompleted);
        for (var i = 0; i < grants; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (calls.Count(c => c.IsCompleted) < done + grants)
        {
            Assert.True(DateTime.UtcNow < deadline, "The granted calls never ran.");
            await Task.Delay(1);
        }
    }
}
