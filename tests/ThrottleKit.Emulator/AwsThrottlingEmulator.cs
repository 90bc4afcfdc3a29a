using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ThrottleKit.Emulator;

/// <summary>
/// An in-process HTTP server on 127.0.0.1 that enforces a quota and answers like two AWS services:
/// <list type="bullet">
/// <item>awsQuery (form body, like Amazon SES and STS): over the rate, HTTP 400 <c>Throttling</c> "Maximum sending rate exceeded.";
/// over the 24-hour quota, <c>Throttling</c> "Daily message quota exceeded."; success answers parse with the STS client.</item>
/// <item>JSON (an <c>X-Amz-Target</c> header, like SSM): over the rate, HTTP 429 <c>x-amzn-ErrorType: ThrottlingException</c>
/// as Amazon Connect Campaigns sends it; success answers parse with the SSM client.</item>
/// <item>A JSON batch (<c>SendMessageBatch</c>, parsed by the SQS client), answered entry by entry like Connect Campaigns'
/// <c>PutDialRequestBatch</c>: entries over the rate come back in <c>Failed</c> with code <c>RequestThrottled</c>, the others in <c>Successful</c>.</item>
/// </list>
/// Every attempt is recorded with its time, the SDK's invocation id and its outcome.
/// </summary>
public sealed partial class AwsThrottlingEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ServerQuota _quota;
    private readonly EmulatorOptions _options;
    private readonly Stopwatch _clock = new();
    private readonly Random _dice;
    private readonly List<EmulatorAttempt> _attempts = [];
    private readonly SchedulingLagProbe _lag;
    private long _startedAt;

    private AwsThrottlingEmulator(WebApplication app, EmulatorOptions options)
    {
        _app = app;
        _options = options;
        _quota = new ServerQuota(options.RatePerSecond, options.Burst, options.DailyQuota, () => _clock.Elapsed);
        _dice = new Random(options.Seed);
        _lag = SchedulingLagProbe.Start(() => _clock.Elapsed);
    }

    /// <summary>Gets the base address to give an SDK client as its <c>ServiceURL</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Gets how long the emulator has been running; attempts are timed on this clock.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>
    /// A <see cref="Stopwatch"/> timestamp taken in any process on this machine, on the emulator's clock: the monotonic clock
    /// is the machine's, so other processes (a fleet's workers) can report when they did something.
    /// </summary>
    /// <param name="stopwatchTimestamp">What <see cref="Stopwatch.GetTimestamp"/> returned.</param>
    /// <returns>The same moment as time since the emulator started.</returns>
    public TimeSpan ToEmulatorTime(long stopwatchTimestamp) => Stopwatch.GetElapsedTime(_startedAt, stopwatchTimestamp);

    /// <summary>Gets a snapshot of every attempt so far, in arrival order.</summary>
    public IReadOnlyList<EmulatorAttempt> Attempts
    {
        get
        {
            lock (_attempts)
            {
                return [.. _attempts];
            }
        }
    }

    /// <summary>Starts an emulator on a free loopback port.</summary>
    /// <param name="options">The quota and faults.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running emulator.</returns>
    public static async Task<AwsThrottlingEmulator> StartAsync(EmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var emulator = new AwsThrottlingEmulator(app, options ?? new EmulatorOptions());
        app.Run(emulator.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        emulator.Endpoint = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        emulator._startedAt = Stopwatch.GetTimestamp();
        emulator._clock.Start();
        return emulator;
    }

    /// <summary>Gets how many permits the emulator accepted against its 24-hour quota (SES's <c>SentLast24Hours</c>).</summary>
    public long SentToday => _quota.SentToday;

    /// <summary>Changes the quota from now on, as when AWS raises an account's limit.</summary>
    /// <param name="ratePerSecond">The new rate.</param>
    /// <param name="burst">The new burst.</param>
    public void ChangeQuota(double ratePerSecond, double burst) => _quota.Change(ratePerSecond, burst);

    /// <summary>The window of <paramref name="window"/> in which the most permits were processed, by the time the quota decided them.</summary>
    /// <param name="window">The window length.</param>
    /// <returns>The busiest window, counted in permits (recipients).</returns>
    public BusiestWindow BusiestWindowOfProcessed(TimeSpan window)
        => BusiestWindow.Find(Attempts.Where(a => a.WasProcessed).Select(a => (a.DecidedAt, (long)a.Cost)), window);

    /// <summary>The window of <paramref name="window"/> in which the most attempts arrived, whatever their outcome: what the client sent.</summary>
    /// <param name="window">The window length.</param>
    /// <param name="from">Attempts before this moment (warm-up calls, say) are left out.</param>
    /// <returns>The busiest window, counted in attempts.</returns>
    public BusiestWindow BusiestWindowOfAttempts(TimeSpan window, TimeSpan from = default)
        => BusiestWindow.Find(Attempts.Where(a => a.At >= from).Select(a => (a.At, 1L)), window);

    /// <summary>How late this process ran scheduled work between two moments of the emulator's clock (<see cref="SchedulingLagProbe"/>).</summary>
    /// <param name="from">The start of the interval.</param>
    /// <param name="to">Its end; now when <see langword="null"/>.</param>
    /// <returns>The largest lateness measured.</returns>
    public TimeSpan SchedulingLag(TimeSpan from = default, TimeSpan? to = null) => _lag.MaxLag(from, to);

    /// <summary>How long this process ran more than <paramref name="threshold"/> late, in all (<see cref="SchedulingLagProbe.ExcessLag"/>).</summary>
    /// <param name="threshold">Lateness that does not count: a limiter's jitter allowance.</param>
    /// <param name="from">The start of the interval.</param>
    /// <returns>The total lateness beyond the threshold.</returns>
    public TimeSpan ExcessLag(TimeSpan threshold, TimeSpan from = default) => _lag.ExcessLag(threshold, from);

    /// <summary>What the emulator saw, for a failing real-clock test to print: attempts by outcome, the run's length, the lag, the load.</summary>
    /// <returns>One line.</returns>
    public string Describe()
    {
        var attempts = Attempts;
        var outcomes = string.Join(", ", attempts.GroupBy(a => a.Outcome).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key}"));
        return string.Create(
            CultureInfo.InvariantCulture,
            $"Emulator: quota {_options.RatePerSecond}/s burst {_options.Burst}; {attempts.Count} attempts ({outcomes}) over {Elapsed.TotalSeconds:0.000} s; scheduling lag up to {SchedulingLag().TotalMilliseconds:0.0} ms; {RealClock.LoadAverage()}.");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _lag.DisposeAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    [GeneratedRegex(@"^Tags\.member\.\d+\.Key$")]
    private static partial Regex RecipientParameter();

    private async Task HandleAsync(HttpContext context)
    {
        var arrived = _clock.Elapsed;
        var json = context.Request.Headers.TryGetValue("X-Amz-Target", out var target);
        string operation;
        var cost = 1;
        if (json)
        {
            var value = target.ToString();
            operation = value[(value.LastIndexOf('.') + 1)..];
            if (operation == "SendMessageBatch")
            {
                await HandleBatchAsync(context, arrived, operation).ConfigureAwait(false);
                return;
            }
        }
        else
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            operation = form["Action"].ToString();

            // Stands in for SES's recipients: an STS request may carry tags, and each tag counts as one recipient.
            cost = Math.Max(1, form.Keys.Count(k => RecipientParameter().IsMatch(k)));
        }

        var outcome = _quota.TryConsume(cost, out var decidedAt);
        if (outcome == EmulatorOutcome.Accepted)
        {
            outcome = RollFault();
        }

        lock (_attempts)
        {
            _attempts.Add(new EmulatorAttempt(arrived, json ? "json" : "awsQuery", operation, context.Request.Headers["amz-sdk-invocation-id"].ToString(), cost, outcome, decidedAt));
        }

        await RespondAsync(context, json, operation, outcome).ConfigureAwait(false);
    }

    private async Task HandleBatchAsync(HttpContext context, TimeSpan arrived, string operation)
    {
        using var request = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        var invocationId = context.Request.Headers["amz-sdk-invocation-id"].ToString();
        var successful = new List<object>();
        var failed = new List<object>();
        foreach (var entry in request.RootElement.GetProperty("Entries").EnumerateArray())
        {
            var id = entry.GetProperty("Id").GetString()!;
            var body = entry.GetProperty("MessageBody").GetString() ?? string.Empty;
            var outcome = _quota.TryConsume(1, out var decidedAt);
            lock (_attempts)
            {
                _attempts.Add(new EmulatorAttempt(arrived, "json", operation, invocationId, 1, outcome, decidedAt, id));
            }

            if (outcome == EmulatorOutcome.Accepted)
            {
                successful.Add(new { Id = id, MessageId = Guid.NewGuid().ToString(), MD5OfMessageBody = AwsErrorResponses.Md5Hex(body) });
            }
            else
            {
                failed.Add(new { Id = id, Code = outcome == EmulatorOutcome.Throttled ? _options.BatchThrottleCode : "DailyQuotaExceeded", SenderFault = false, Message = "Request throttled" });
            }
        }

        context.Response.Headers["x-amzn-RequestId"] = AwsErrorResponses.NewRequestId();
        context.Response.ContentType = "application/x-amz-json-1.0";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new { Successful = successful, Failed = failed }), context.RequestAborted).ConfigureAwait(false);
    }

    private EmulatorOutcome RollFault()
    {
        if (_options.Faults == EmulatorFaults.None || _options.FaultRate <= 0)
        {
            return EmulatorOutcome.Accepted;
        }

        EmulatorFaults[] kinds = [.. new[] { EmulatorFaults.ServerError, EmulatorFaults.Stall, EmulatorFaults.Reset }.Where(f => _options.Faults.HasFlag(f))];
        lock (_dice)
        {
            if (_dice.NextDouble() >= _options.FaultRate)
            {
                return EmulatorOutcome.Accepted;
            }

            return kinds[_dice.Next(kinds.Length)] switch
            {
                EmulatorFaults.ServerError => EmulatorOutcome.ServerError,
                EmulatorFaults.Stall => EmulatorOutcome.Stalled,
                _ => EmulatorOutcome.Reset,
            };
        }
    }

    private async Task RespondAsync(HttpContext context, bool json, string operation, EmulatorOutcome outcome)
    {
        var requestId = AwsErrorResponses.NewRequestId();
        var response = context.Response;
        response.Headers["x-amzn-RequestId"] = requestId;
        switch (outcome)
        {
            case EmulatorOutcome.Reset:
                context.Abort();
                return;
            case EmulatorOutcome.Stalled:
                try
                {
                    await Task.Delay(_options.StallDuration, context.RequestAborted).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                break;
        }

        var refusal = (json, outcome) switch
        {
            (false, EmulatorOutcome.Throttled) => _options.QueryThrottle,
            (false, EmulatorOutcome.DailyQuotaExceeded) => _options.QueryDailyQuota,
            (false, EmulatorOutcome.ServerError) => new EmulatorAnswer(500, "InternalFailure", "The request processing has failed because of an unknown error."),
            (true, EmulatorOutcome.Throttled) => _options.JsonThrottle,
            (true, EmulatorOutcome.DailyQuotaExceeded) => _options.JsonDailyQuota,
            (true, EmulatorOutcome.ServerError) => new EmulatorAnswer(500, "InternalServerException", "Internal service error"),
            _ => null,
        };

        string body;
        if (refusal is null)
        {
            response.StatusCode = 200;
            body = json ? AwsErrorResponses.JsonSuccess(operation) : AwsErrorResponses.QuerySuccess(operation, requestId);
        }
        else if (json)
        {
            // As rest-json and awsJson services answer: the code in x-amzn-ErrorType (with the suffix the SDK strips).
            response.StatusCode = refusal.StatusCode;
            response.Headers["x-amzn-ErrorType"] = $"{refusal.Code}:http://internal.amazon.com/coral/com.amazon.coral.service/";
            body = AwsErrorResponses.JsonError(refusal.Message);
        }
        else
        {
            response.StatusCode = refusal.StatusCode;
            body = AwsErrorResponses.QueryError(refusal.StatusCode >= 500 ? "Receiver" : "Sender", refusal.Code, refusal.Message, requestId);
        }

        response.ContentType = json ? AwsErrorResponses.JsonContentType : AwsErrorResponses.QueryContentType;
        await response.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }
}
