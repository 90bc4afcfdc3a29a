using System;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Polly;

namespace ThrottleKit.Tests.Http;

/// <summary>
/// An app's HttpClient from IHttpClientFactory with AddResilienceHandler, against a real HTTP server on loopback that
/// answers 429 with Retry-After over its quota: no caller sees a 429, because the throttling strategy classifies responses.
/// </summary>
public sealed class HttpClientThrottlingTests
{
    [Fact]
    [Trait("Category", "RealClock")]
    public async Task Through_AddResilienceHandler_every_caller_gets_its_200_although_the_server_answered_429s()
    {
        await using var server = QuotaServer.Start(ratePerSecond: 20, burst: 10);
        using var limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 100, Burst = 30 });
        var services = new ServiceCollection();
        services.AddHttpClient("api", c => c.BaseAddress = server.Address)
            .AddResilienceHandler("throttling", builder => builder.AddThrottling(new ThrottlingStrategyOptions
            {
                RateLimiter = limiter,
                Classifier = HttpThrottling.Classifier,
                ResultClassifier = HttpThrottling.ClassifyResult,
            }));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("api");

        var statuses = await Task.WhenAll(Enumerable.Range(0, 30).Select(async i =>
        {
            using var response = await client.GetAsync(new Uri($"/send/{i}", UriKind.Relative));
            return response.StatusCode;
        }));

        // The limiter lets 30 go at once and the server takes 10: the rest came back 429 and were retried after Retry-After.
        Assert.True(server.Throttled > 0, "the server never throttled, so nothing here was tested");
        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(30, server.Accepted);
    }

    /// <summary>An HTTP server with a token bucket: over it, <c>429</c> and <c>Retry-After: 1</c>.</summary>
    private sealed class QuotaServer : IAsyncDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly double _rate;
        private readonly double _burst;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Lock _lock = new();
        private readonly Task _serving;
        private double _tokens;
        private TimeSpan _refilledAt;
        private int _accepted;
        private int _throttled;

        private QuotaServer(double ratePerSecond, double burst)
        {
            _rate = ratePerSecond;
            _burst = burst;
            _tokens = burst;
            var port = FreePort();
            Address = new Uri($"http://127.0.0.1:{port}/");
            _listener.Prefixes.Add(Address.ToString());
            _listener.Start();
            _serving = Task.Run(ServeAsync);
        }

        public Uri Address { get; }

        public int Accepted => Volatile.Read(ref _accepted);

        public int Throttled => Volatile.Read(ref _throttled);

        public static QuotaServer Start(double ratePerSecond, double burst) => new(ratePerSecond, burst);

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            _listener.Close();
            await _serving.ConfigureAwait(false);
        }

        private static int FreePort()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            return ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        private async Task ServeAsync()
        {
            while (true)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync().ConfigureAwait(false);
                }
                catch (Exception stopped) when (stopped is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                if (TryTake())
                {
                    Interlocked.Increment(ref _accepted);
                    context.Response.StatusCode = 200;
                }
                else
                {
                    Interlocked.Increment(ref _throttled);
                    context.Response.StatusCode = 429;
                    context.Response.AddHeader("Retry-After", "1");
                }

                context.Response.Close();
            }
        }

        private bool TryTake()
        {
            lock (_lock)
            {
                var now = _clock.Elapsed;
                _tokens = Math.Min(_burst, _tokens + ((now - _refilledAt).TotalSeconds * _rate));
                _refilledAt = now;
                if (_tokens < 1)
                {
                    return false;
                }

                _tokens--;
                return true;
            }
        }
    }
}
