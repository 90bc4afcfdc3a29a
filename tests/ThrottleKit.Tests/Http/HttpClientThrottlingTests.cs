using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Polly;
using ThrottleKit.Testing;
using Xunit.Abstractions;

namespace ThrottleKit.Tests.Http;

/// <summary>
/// An app's HttpClient from IHttpClientFactory with AddResilienceHandler, against a Kestrel server on loopback that answers
/// 429 with Retry-After over its quota: no caller sees a 429, because the throttling strategy classifies responses; at
/// rate = quota almost nothing is throttled, because a Retry-After pauses the limiter instead of letting its queue burst.
/// </summary>
[Trait("Category", RealClock.Category)]
public sealed class HttpClientThrottlingTests(ITestOutputHelper output)
{
    private const int Callers = 64;

    [Fact]
    public async Task Through_AddResilienceHandler_every_caller_gets_its_200_although_the_server_answered_429s()
    {
        await using var server = await KestrelQuotaServer.StartAsync(ratePerSecond: 20, burst: 10);
        using var limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 100, Burst = 30 });

        var statuses = await SendAsync(server, limiter, calls: 60);

        // The limiter runs at five times the server's quota: the server answered 429s, and each was retried after its
        // Retry-After. That no call goes out during a pause is asserted on the virtual clock (ResultThrottlingTests): here, on
        // a real one, a stalled thread pool reads 429s late and sends what it had in hand, and a check with room for that
        // passed with the pause taken out.
        Assert.True(server.Throttled > 0, "the server never throttled, so nothing here was tested");
        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(60, server.Accepted);
    }

    [Fact]
    public async Task Sixty_four_callers_at_rate_equal_to_the_quota_get_no_429_and_almost_no_attempt_is_throttled()
    {
        const double quota = 50;
        await using var server = await KestrelQuotaServer.StartAsync(ratePerSecond: quota, burst: 10);
        using var limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = quota, Burst = 10 });
        await using var lag = SchedulingLagProbe.Start();

        var statuses = await SendAsync(server, limiter, calls: 250);

        // At rate = quota the server throttles only what senders owed while the machine stalled them, sent at once after.
        var attempts = server.Arrivals.Count;
        var bound = Math.Max(0.01 * attempts, RealClock.ThrottleBound(quota, lag.ExcessLag(RealClock.StallThreshold(TimeSpan.FromMilliseconds(25)))));
        output.WriteLine($"{server.Throttled} of {attempts} attempts throttled (bound {bound:0.0}); lag up to {lag.MaxLag().TotalMilliseconds:0.0} ms; {RealClock.LoadAverage()}");
        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(250, server.Accepted);
        Assert.True(server.Throttled <= bound, $"{server.Throttled} of {attempts} attempts throttled, bound {bound:0.0}; {RealClock.LoadAverage()}");
    }

    private static async Task<HttpStatusCode[]> SendAsync(KestrelQuotaServer server, System.Threading.RateLimiting.RateLimiter limiter, int calls)
    {
        var services = new ServiceCollection();
        services.AddHttpClient("api", c => c.BaseAddress = server.Address)
            .AddResilienceHandler("throttling", pipeline => pipeline.AddThrottling(new ThrottlingStrategyOptions
            {
                RateLimiter = limiter,
                Classifier = HttpThrottling.Classifier,
                ResultClassifier = HttpThrottling.ClassifyResult,
            }));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("api");

        var next = -1;
        var statuses = new HttpStatusCode[calls];
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < calls; i = Interlocked.Increment(ref next))
            {
                using var response = await client.GetAsync(new Uri($"/send/{i}", UriKind.Relative));
                statuses[i] = response.StatusCode;
            }
        })));
        return statuses;
    }
}
