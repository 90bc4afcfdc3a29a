using System;
using System.Collections.Generic;
using System.Diagnostics;
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

    private AwsThrottlingEmulator(WebApplication app, EmulatorOptions options)
    {
        _app = app;
        _options = options;
        _quota = new ServerQuota(options.RatePerSecond, options.Burst, options.DailyQuota);
        _dice = new Random(options.Seed);
    }

    /// <summary>Gets the base address to give an SDK client as its <c>ServiceURL</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Gets how long the emulator has been running; attempts are timed on this clock.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

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
        emulator._clock.Start();
        return emulator;
    }

    /// <summary>Gets how many permits the emulator accepted against its 24-hour quota (SES's <c>SentLast24Hours</c>).</summary>
    public long SentToday => _quota.SentToday;

    /// <summary>Changes the quota from now on, as when AWS raises an account's limit.</summary>
    /// <param name="ratePerSecond">The new rate.</param>
    /// <param name="burst">The new burst.</param>
    public void ChangeQuota(double ratePerSecond, double burst) => _quota.Change(ratePerSecond, burst);

    /// <summary>The most permits the emulator processed in any window of <paramref name="window"/>.</summary>
    /// <param name="window">The window length.</param>
    /// <returns>The largest sum of processed costs within a window of that length.</returns>
    public long MaxProcessedInAnyWindow(TimeSpan window) => Busiest([.. Attempts.Where(a => a.WasProcessed)], window, a => a.Cost);

    /// <summary>The most attempts, whatever their outcome, that arrived in any window of <paramref name="window"/>: what the client sent.</summary>
    /// <param name="window">The window length.</param>
    /// <param name="from">Attempts before this moment (warm-up calls, say) are left out.</param>
    /// <returns>The largest number of attempts within a window of that length.</returns>
    public long MaxAttemptsInAnyWindow(TimeSpan window, TimeSpan from = default) => Busiest([.. Attempts.Where(a => a.At >= from)], window, _ => 1);

    private static long Busiest(EmulatorAttempt[] attempts, TimeSpan window, Func<EmulatorAttempt, long> weight)
    {
        // Recorded in the order they were logged, which concurrent requests may swap; the window needs arrival order.
        Array.Sort(attempts, static (a, b) => a.At.CompareTo(b.At));
        long best = 0;
        long sum = 0;
        var start = 0;
        for (var end = 0; end < attempts.Length; end++)
        {
            sum += weight(attempts[end]);
            while (attempts[end].At - attempts[start].At > window)
            {
                sum -= weight(attempts[start]);
                start++;
            }

            best = Math.Max(best, sum);
        }

        return best;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
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

        var outcome = _quota.TryConsume(cost);
        if (outcome == EmulatorOutcome.Accepted)
        {
            outcome = RollFault();
        }

        lock (_attempts)
        {
            _attempts.Add(new EmulatorAttempt(arrived, json ? "json" : "awsQuery", operation, context.Request.Headers["amz-sdk-invocation-id"].ToString(), cost, outcome));
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
            var outcome = _quota.TryConsume(1);
            lock (_attempts)
            {
                _attempts.Add(new EmulatorAttempt(arrived, "json", operation, invocationId, 1, outcome, id));
            }

            if (outcome == EmulatorOutcome.Accepted)
            {
                successful.Add(new { Id = id, MessageId = Guid.NewGuid().ToString(), MD5OfMessageBody = AwsErrorResponses.Md5Hex(body) });
            }
            else
            {
                failed.Add(new { Id = id, Code = outcome == EmulatorOutcome.Throttled ? "RequestThrottled" : "DailyQuotaExceeded", SenderFault = false, Message = "Request throttled" });
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

        var (status, body, errorType) = (json, outcome) switch
        {
            (false, EmulatorOutcome.Throttled) => (400, AwsErrorResponses.QueryError("Sender", "Throttling", "Maximum sending rate exceeded.", requestId), null),
            (false, EmulatorOutcome.DailyQuotaExceeded) => (400, AwsErrorResponses.QueryError("Sender", "Throttling", "Daily message quota exceeded.", requestId), null),
            (false, EmulatorOutcome.ServerError) => (500, AwsErrorResponses.QueryError("Receiver", "InternalFailure", "The request processing has failed because of an unknown error.", requestId), null),
            (false, _) => (200, AwsErrorResponses.QuerySuccess(operation, requestId), null),
            (true, EmulatorOutcome.Throttled or EmulatorOutcome.DailyQuotaExceeded) => (429, AwsErrorResponses.JsonError("Rate exceeded"), "ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/"),
            (true, EmulatorOutcome.ServerError) => (500, AwsErrorResponses.JsonError("Internal service error"), "InternalServerException:http://internal.amazon.com/coral/com.amazon.coral.service/"),
            (true, _) => (200, AwsErrorResponses.JsonSuccess(operation), (string?)null),
        };

        response.StatusCode = status;
        response.ContentType = json ? AwsErrorResponses.JsonContentType : AwsErrorResponses.QueryContentType;
        if (errorType is not null)
        {
            response.Headers["x-amzn-ErrorType"] = errorType;
        }

        await response.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }
}
