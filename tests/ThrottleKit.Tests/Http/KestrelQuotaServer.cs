using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ThrottleKit.Tests.Http;

/// <summary>
/// A Kestrel server on loopback that enforces a quota as an HTTP API does: a token bucket, and over it <c>429</c> with
/// <c>Retry-After</c>. It stamps every request on arrival, so a test can check the pacing and the waits as the server saw them.
/// </summary>
internal sealed class KestrelQuotaServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly double _rate;
    private readonly double _burst;
    private readonly int _retryAfterSeconds;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _lock = new();
    private readonly List<(TimeSpan At, bool Throttled)> _arrivals = [];
    private double _tokens;
    private TimeSpan _refilledAt;

    private KestrelQuotaServer(WebApplication app, double ratePerSecond, double burst, int retryAfterSeconds)
    {
        _app = app;
        _rate = ratePerSecond;
        _burst = burst;
        _tokens = burst;
        _retryAfterSeconds = retryAfterSeconds;
        _app.Run(Answer);
    }

    /// <summary>Gets the server's base address.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Gets every request as it arrived: when (on the server's clock) and whether it was answered 429.</summary>
    public IReadOnlyList<(TimeSpan At, bool Throttled)> Arrivals
    {
        get
        {
            lock (_lock)
            {
                return [.. _arrivals];
            }
        }
    }

    public int Accepted => Arrivals.Count(a => !a.Throttled);

    public int Throttled => Arrivals.Count(a => a.Throttled);

    public static async Task<KestrelQuotaServer> StartAsync(double ratePerSecond, double burst, int retryAfterSeconds = 1)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var server = new KestrelQuotaServer(builder.Build(), ratePerSecond, burst, retryAfterSeconds);
        await server._app.StartAsync();
        var bound = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.Address = new Uri(bound.EndsWith('/') ? bound : bound + "/");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private Task Answer(HttpContext context)
    {
        bool throttled;
        lock (_lock)
        {
            var now = _clock.Elapsed;
            _tokens = Math.Min(_burst, _tokens + ((now - _refilledAt).TotalSeconds * _rate));
            _refilledAt = now;
            throttled = _tokens < 1;
            if (!throttled)
            {
                _tokens--;
            }

            _arrivals.Add((now, throttled));
        }

        if (throttled)
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = _retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return Task.CompletedTask;
    }
}
