using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
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

namespace ThrottleKit.Testing;

/// <summary>
/// An in-process emulator of Amazon SES's and Amazon Connect Campaigns' quotas on 127.0.0.1, for tests without an AWS
/// account: point an SDK client's <c>ServiceURL</c> at <see cref="Endpoint"/>. Each account (access key) in each Region (of
/// its signature) has a quota of its own, as with AWS, and every answer has the services' wire shape:
/// <list type="bullet">
/// <item>SES v1 (awsQuery): over the rate <c>Throttling</c> "Maximum sending rate exceeded.", over the 24-hour quota "Daily
/// message quota exceeded."; sends, bulk sends (a status per destination) and <c>GetSendQuota</c> answered as SES does.</item>
/// <item>SES v2 (<c>/v2/email/…</c>) and Connect Campaigns (<c>/campaigns/…</c>, <c>/v2/campaigns/…</c>): JSON errors as the
/// SDK parses them; batches (<c>PutDialRequestBatch</c>, <c>PutOutboundRequestBatch</c>) answered item by item.</item>
/// <item>SMTP, with <see cref="SesEmulatorOptions.Smtp"/>: <c>454 Throttling failure: …</c> after DATA, as SES's SMTP interface.</item>
/// <item>A request signed too far from the service's clock is refused as AWS refuses it; faults (5xx, stalls, resets) can be
/// injected after processing, like the ambiguous failures of a real service.</item>
/// </list>
/// Every attempt is recorded (<see cref="Attempts"/>) with its time, operation, recipients and outcome, so a test can assert
/// what the service saw.
/// </summary>
public sealed partial class SesEmulator : IAsyncDisposable
{
    private static readonly HashSet<string> SesV1Sends = new(StringComparer.Ordinal)
    {
        "SendEmail", "SendRawEmail", "SendTemplatedEmail", "SendBulkTemplatedEmail", "SendCustomVerificationEmail",
    };

    /// <summary>The STS stand-in's calls that hand out a role session: they spend no quota, as a credential refresh is no send.</summary>
    private static readonly HashSet<string> StsSessionActions = new(StringComparer.Ordinal) { "AssumeRole", "AssumeRoleWithWebIdentity" };

    private readonly WebApplication _app;
    private readonly SesEmulatorOptions _options;
    private readonly QuotaBook _quotas;
    private readonly Stopwatch _clock = new();
    private readonly Random _dice;
    private readonly List<EmulatorAttempt> _attempts = [];
    private readonly SchedulingLagProbe _lag;
    private SmtpFace? _smtp;
    private long _startedAt;
    private long _clockOffsetTicks;
    private long _quotaAdvanceTicks;

    private SesEmulator(WebApplication app, SesEmulatorOptions options)
    {
        _app = app;
        _options = options;
        _quotas = new QuotaBook(options, () => _clock.Elapsed + TimeSpan.FromTicks(Interlocked.Read(ref _quotaAdvanceTicks)));
        _dice = new Random(options.Seed);
        _lag = SchedulingLagProbe.Start(() => _clock.Elapsed);
        _clockOffsetTicks = options.ClockOffset.Ticks;
    }

    /// <summary>Gets the base address to give an SDK client as its <c>ServiceURL</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Gets the port SMTP is spoken on (host 127.0.0.1), when <see cref="SesEmulatorOptions.Smtp"/> is on; otherwise <see langword="null"/>.</summary>
    public int? SmtpPort => _smtp?.Port;

    /// <summary>Gets how long the emulator has been running; attempts are timed on this clock.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Gets the service's time: this machine's, moved by <see cref="SesEmulatorOptions.ClockOffset"/> and <see cref="AdvanceClock"/>.</summary>
    internal DateTimeOffset ServiceTime => DateTimeOffset.UtcNow + TimeSpan.FromTicks(Interlocked.Read(ref _clockOffsetTicks));

    /// <summary>Gets what the emulator accepted against the 24-hour quotas, in recipients, over every account and Region (SES's <c>SentLast24Hours</c>).</summary>
    internal long SentToday => _quotas.SentToday;

    /// <summary>Gets a snapshot of every attempt so far, in the order they were recorded.</summary>
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

    /// <summary>Starts an emulator on a free loopback port (and another for SMTP, when asked).</summary>
    /// <param name="options">The quota, faults and answers; defaults to SES's usual first quota, 14 per second.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running emulator; dispose it to stop it.</returns>
    public static async Task<SesEmulator> StartAsync(SesEmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SesEmulatorOptions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port));
        var app = builder.Build();
        var emulator = new SesEmulator(app, options);
        app.Run(emulator.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        emulator.Endpoint = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        emulator._startedAt = Stopwatch.GetTimestamp();
        emulator._clock.Start();
        if (options.Smtp)
        {
            emulator._smtp = SmtpFace.Start(emulator);
        }

        return emulator;
    }

    /// <summary>Changes the quota of every account and Region from now on, as when AWS raises an account's limit.</summary>
    /// <param name="ratePerSecond">The new rate.</param>
    /// <param name="burst">The new burst.</param>
    public void ChangeQuota(double ratePerSecond, double burst) => _quotas.Change(ratePerSecond, burst);

    /// <summary>
    /// Moves the service's clock, as if that much time had passed for it: signatures are checked against the moved time and,
    /// when it moves forward, the sending quotas refill for the time that passed. Moving backward only sets the service's
    /// clock back (a skew), never its quotas.
    /// </summary>
    /// <param name="by">How far forward (backward when negative).</param>
    internal void AdvanceClock(TimeSpan by)
    {
        Interlocked.Add(ref _clockOffsetTicks, by.Ticks);
        if (by > TimeSpan.Zero)
        {
            Interlocked.Add(ref _quotaAdvanceTicks, by.Ticks);
        }
    }

    /// <summary>
    /// A <see cref="Stopwatch"/> timestamp taken in any process on this machine, on the emulator's clock: the monotonic clock
    /// is the machine's, so other processes can report when they did something.
    /// </summary>
    /// <param name="stopwatchTimestamp">What <see cref="Stopwatch.GetTimestamp"/> returned.</param>
    /// <returns>The same moment as time since the emulator started.</returns>
    internal TimeSpan ToEmulatorTime(long stopwatchTimestamp) => Stopwatch.GetElapsedTime(_startedAt, stopwatchTimestamp);

    /// <summary>The window of <paramref name="window"/> in which the most permits (recipients) were processed, by when the quota decided them.</summary>
    /// <param name="window">The window length.</param>
    /// <returns>The busiest window: "no more than the quota in any second" is <c>BusiestWindowOfProcessed(1 s).Count ≤ burst + rate</c>.</returns>
    internal BusiestWindow BusiestWindowOfProcessed(TimeSpan window)
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
    internal TimeSpan SchedulingLag(TimeSpan from = default, TimeSpan? to = null) => _lag.MaxLag(from, to);

    /// <summary>How long this process ran more than <paramref name="threshold"/> late, in all (<see cref="SchedulingLagProbe.ExcessLag"/>).</summary>
    /// <param name="threshold">Lateness that does not count.</param>
    /// <param name="from">The start of the interval.</param>
    /// <returns>The total lateness beyond the threshold.</returns>
    internal TimeSpan ExcessLag(TimeSpan threshold, TimeSpan from = default) => _lag.ExcessLag(threshold, from);

    /// <summary>What the emulator saw, for a failing test to print: attempts by outcome, the run's length, the lag, the machine's load.</summary>
    /// <returns>One line.</returns>
    internal string Describe()
    {
        var attempts = Attempts;
        var outcomes = string.Join(", ", attempts.GroupBy(a => a.Outcome).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key}"));
        return string.Create(
            CultureInfo.InvariantCulture,
            $"Emulator: quota {_options.RatePerSecond}/s burst {_options.Burst}; {attempts.Count} attempts ({outcomes}) over {Elapsed.TotalSeconds:0.000} s; scheduling lag up to {SchedulingLag().TotalMilliseconds:0.0} ms; {MachineLoad.Describe()}.");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_smtp is not null)
        {
            await _smtp.DisposeAsync().ConfigureAwait(false);
        }

        await _lag.DisposeAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Decides one send or call: an unverified recipient is rejected, then the account's 24-hour quota and rate decide, then a
    /// fault may strike what was accepted. Recorded before the answer goes out.
    /// </summary>
    internal EmulatorOutcome Decide(TimeSpan arrived, string protocol, string operation, string? invocationId, SigV4Request identity, IReadOnlyCollection<string> recipients, bool spendsQuota, string? item = null, bool faults = true)
    {
        var cost = Math.Max(1, recipients.Count);
        EmulatorOutcome outcome;
        TimeSpan decidedAt;
        if (recipients.Any(_options.RejectedAddresses.Contains))
        {
            (outcome, decidedAt) = (EmulatorOutcome.Rejected, _clock.Elapsed);
        }
        else if (spendsQuota)
        {
            outcome = _quotas.TryConsume(identity.Account, identity.Region, cost, out decidedAt);
        }
        else
        {
            (outcome, decidedAt) = (EmulatorOutcome.Accepted, _clock.Elapsed);
        }

        if (outcome == EmulatorOutcome.Accepted && faults)
        {
            outcome = RollFault();
        }

        Record(new EmulatorAttempt(arrived, protocol, operation, invocationId, cost, outcome, decidedAt, item, identity.Account, identity.Region, identity.SignedAt));
        return outcome;
    }

    internal TimeSpan Now => _clock.Elapsed;

    internal SesEmulatorOptions Options => _options;

    /// <summary>A throttle's <c>x-amz-retry-after</c>, when the options ask for one.</summary>
    private void AddRetryAfter(HttpResponse response, EmulatorOutcome outcome)
    {
        if (outcome == EmulatorOutcome.Throttled && _options.ThrottleRetryAfter is { } after)
        {
            response.Headers["x-amz-retry-after"] = ((long)after.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        }
    }

    internal void Record(EmulatorAttempt attempt)
    {
        lock (_attempts)
        {
            _attempts.Add(attempt);
        }
    }

    [GeneratedRegex(@"^/campaigns/[^/]+/dial-requests$")]
    private static partial Regex DialRequests();

    [GeneratedRegex(@"^/v2/campaigns/[^/]+/outbound-requests$")]
    private static partial Regex OutboundRequests();

    private async Task HandleAsync(HttpContext context)
    {
        var arrived = _clock.Elapsed;
        var request = context.Request;
        var identity = SigV4Request.Read(request);
        var invocationId = request.Headers["amz-sdk-invocation-id"].ToString();
        var path = request.Path.Value ?? "/";
        context.Response.Headers["x-amzn-RequestId"] = AwsWire.NewRequestId();

        // Every answer carries the service's time, as AWS's do: SDKs learn their clock skew from any response, not only a refusal.
        context.Response.Headers.Date = ServiceTime.ToString("R", CultureInfo.InvariantCulture);

        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            var action = form["Action"].ToString();
            var version = form["Version"].ToString();
            if (IsSignatureExpired(context, arrived, "awsQuery", action, invocationId, identity))
            {
                return;
            }

            // SES's sending quota is spent by its sends; a stand-in service's every call spends it.
            var ses = version == "2010-12-01";
            if (ses && action == "SendBulkTemplatedEmail")
            {
                await AnswerBulkTemplatedAsync(context, arrived, invocationId, identity, form).ConfigureAwait(false);
                return;
            }

            var spendsQuota = ses ? SesV1Sends.Contains(action) : !StsSessionActions.Contains(action);
            var outcome = Decide(arrived, "awsQuery", action, invocationId, identity, Recipients.OfForm(form), spendsQuota);
            await AnswerQueryAsync(context, action, version, identity, form, outcome).ConfigureAwait(false);
            return;
        }

        var payload = await ReadBodyAsync(context).ConfigureAwait(false);
        using var body = ParseJson(payload);
        var json = body?.RootElement ?? default;
        if (request.Headers.TryGetValue("X-Amz-Target", out var target))
        {
            var value = target.ToString();
            var operation = value[(value.LastIndexOf('.') + 1)..];
            if (IsSignatureExpired(context, arrived, "json", operation, invocationId, identity))
            {
                return;
            }

            if (operation == "SendMessageBatch")
            {
                await AnswerMessageBatchAsync(context, arrived, invocationId, identity, json).ConfigureAwait(false);
                return;
            }

            var outcome = Decide(arrived, "json", operation, invocationId, identity, [], spendsQuota: true);
            await AnswerJsonAsync(context, outcome, operation == "GetParameter" ? new { Parameter = new { Name = "emulated", Type = "String", Value = "ok", Version = 1 } } : new { }).ConfigureAwait(false);
            return;
        }

        if (path.StartsWith("/v2/email/", StringComparison.Ordinal))
        {
            await AnswerSesV2Async(context, arrived, invocationId, identity, path, json).ConfigureAwait(false);
            return;
        }

        if (path.StartsWith("/campaigns", StringComparison.Ordinal) || path.StartsWith("/v2/campaigns", StringComparison.Ordinal))
        {
            var operation = DialRequests().IsMatch(path) ? "PutDialRequestBatch" : OutboundRequests().IsMatch(path) ? "PutOutboundRequestBatch" : $"{request.Method} {path}";
            if (IsSignatureExpired(context, arrived, "json", operation, invocationId, identity))
            {
                return;
            }

            if (operation.StartsWith("Put", StringComparison.Ordinal))
            {
                await AnswerCampaignBatchAsync(context, arrived, invocationId, identity, operation, json).ConfigureAwait(false);
                return;
            }

            await AnswerJsonAsync(context, Decide(arrived, "json", operation, invocationId, identity, [], spendsQuota: true), new { }).ConfigureAwait(false);
            return;
        }

        var restOperation = $"{request.Method} {path}";
        if (IsSignatureExpired(context, arrived, "rest", restOperation, invocationId, identity))
        {
            return;
        }

        // As S3 does, a body that is not the one signed (a retry that sent a stream from where the last attempt left it) is
        // refused before it spends anything.
        if (ObjectBody.Check(request, payload) is { } bad)
        {
            Record(new EmulatorAttempt(arrived, "rest", restOperation, invocationId, 0, EmulatorOutcome.Rejected, _clock.Elapsed, null, identity.Account, identity.Region, identity.SignedAt));
            context.Response.StatusCode = 400;
            context.Response.ContentType = "application/xml";
            await context.Response.WriteAsync(AwsWire.RestXmlError(bad.Code, bad.Message, AwsWire.NewRequestId()), context.RequestAborted).ConfigureAwait(false);
            return;
        }

        await AnswerRestAsync(context, Decide(arrived, "rest", restOperation, invocationId, identity, [], spendsQuota: true), ObjectBody.Decode(request, payload)).ConfigureAwait(false);
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        return buffer.ToArray();
    }

    private static JsonDocument? ParseJson(byte[] payload)
    {
        if (payload.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(payload);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A request signed too far from the service's clock is refused, with the service's time, as AWS does.</summary>
    private bool IsSignatureExpired(HttpContext context, TimeSpan arrived, string protocol, string operation, string invocationId, SigV4Request identity)
    {
        var serviceTime = ServiceTime;
        if (identity.SignedAt is not { } signedAt || (signedAt - serviceTime).Duration() <= _options.MaxSignatureAge)
        {
            return false;
        }

        Record(new EmulatorAttempt(arrived, protocol, operation, invocationId, 0, EmulatorOutcome.SignatureExpired, _clock.Elapsed, null, identity.Account, identity.Region, signedAt));
        var message = AwsWire.SignatureExpired(signedAt, serviceTime, _options.MaxSignatureAge);
        var response = context.Response;
        var (status, body, contentType) = protocol switch
        {
            "awsQuery" => (403, AwsWire.QueryError("Sender", "SignatureDoesNotMatch", message, AwsWire.NewRequestId()), AwsWire.QueryContentType),
            "json" => (400, AwsWire.JsonError(message), AwsWire.JsonContentType),
            _ => (403, AwsWire.RestXmlError("RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", AwsWire.NewRequestId()), AwsWire.QueryContentType),
        };
        if (protocol == "json")
        {
            response.Headers["x-amzn-ErrorType"] = "InvalidSignatureException";
        }

        response.StatusCode = status;
        response.ContentType = contentType;
        _ = response.WriteAsync(body, context.RequestAborted);
        return true;
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

    /// <summary>Stalls or drops the connection for those faults; <see langword="false"/> when nothing is left to answer.</summary>
    private async Task<bool> ApplyTransportFaultAsync(HttpContext context, EmulatorOutcome outcome)
    {
        if (outcome == EmulatorOutcome.Reset)
        {
            context.Abort();
            return false;
        }

        if (outcome == EmulatorOutcome.Stalled)
        {
            try
            {
                await Task.Delay(_options.StallDuration, context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return true;
    }
}
