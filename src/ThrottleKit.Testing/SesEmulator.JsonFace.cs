using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace ThrottleKit.Testing;

// The JSON faces: SES v2 (<c>/v2/email/…</c>), Connect Campaigns (<c>/campaigns/…</c>, <c>/v2/campaigns/…</c>) and the JSON-protocol stand-ins (SSM, SQS), with their batches answered item by item.
public sealed partial class SesEmulator
{
    private async Task AnswerJsonAsync(HttpContext context, EmulatorOutcome outcome, object success)
    {
        if (!await ApplyTransportFaultAsync(context, outcome).ConfigureAwait(false))
        {
            return;
        }

        var refusal = outcome switch
        {
            EmulatorOutcome.Throttled => _options.JsonThrottle,
            EmulatorOutcome.DailyQuotaExceeded => _options.JsonDailyQuota,
            EmulatorOutcome.ServerError => new EmulatorAnswer(500, "InternalServerException", "Internal service error"),
            EmulatorOutcome.Rejected => new EmulatorAnswer(400, "MessageRejected", "Email address is not verified."),
            _ => null,
        };
        var response = context.Response;
        response.ContentType = AwsWire.JsonContentType;
        if (refusal is null)
        {
            await response.WriteAsync(JsonSerializer.Serialize(success), context.RequestAborted).ConfigureAwait(false);
            return;
        }

        // As rest-json and awsJson services answer: the code in x-amzn-ErrorType, with the suffix the SDK strips.
        response.StatusCode = refusal.StatusCode;
        AddRetryAfter(response, outcome);
        response.Headers["x-amzn-ErrorType"] = $"{refusal.Code}:http://internal.amazon.com/coral/com.amazon.coral.service/";
        await response.WriteAsync(AwsWire.JsonError(refusal.Message), context.RequestAborted).ConfigureAwait(false);
    }

    private async Task AnswerSesV2Async(HttpContext context, TimeSpan arrived, string invocationId, SigV4Request identity, string path, JsonElement json)
    {
        var operation = path switch
        {
            "/v2/email/outbound-emails" => "SendEmail",
            "/v2/email/outbound-bulk-emails" => "SendBulkEmail",
            "/v2/email/account" => "GetAccount",
            _ => $"{context.Request.Method} {path}",
        };
        if (IsSignatureExpired(context, arrived, "json", operation, invocationId, identity))
        {
            return;
        }

        if (operation == "SendBulkEmail")
        {
            var results = new List<object>();
            var entries = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("BulkEmailEntries", out var list) ? list.EnumerateArray().ToList() : [];
            for (var i = 0; i < entries.Count; i++)
            {
                var recipients = entries[i].TryGetProperty("Destination", out var destination) ? Recipients.OfDestination(destination).ToHashSet(StringComparer.OrdinalIgnoreCase) : [];
                var outcome = Decide(arrived, "json", operation, invocationId, identity, recipients, spendsQuota: true, item: i.ToString(CultureInfo.InvariantCulture), faults: false);
                results.Add(outcome == EmulatorOutcome.Accepted
                    ? new { Status = "SUCCESS", MessageId = (string?)AwsWire.NewMessageId() }
                    : new { Status = BulkStatus(outcome, v2: true), MessageId = (string?)null });
            }

            await AnswerJsonAsync(context, EmulatorOutcome.Accepted, new { BulkEmailEntryResults = results }).ConfigureAwait(false);
            return;
        }

        var sending = operation == "SendEmail";
        var decided = Decide(arrived, "json", operation, invocationId, identity, sending ? Recipients.OfJson(json) : [], spendsQuota: sending);
        object success = operation switch
        {
            "SendEmail" => new { MessageId = AwsWire.NewMessageId() },
            "GetAccount" => new
            {
                SendQuota = new { Max24HourSend = (double)(_options.DailyQuota ?? -1), MaxSendRate = _quotas.QuotaIn(identity.Region).Rate, SentLast24Hours = (double)_quotas.SentTodayBy(identity.Account, identity.Region) },
                SendingEnabled = true,
                ProductionAccessEnabled = true,
            },
            _ => new { },
        };
        await AnswerJsonAsync(context, decided, success).ConfigureAwait(false);
    }

    private async Task AnswerMessageBatchAsync(HttpContext context, TimeSpan arrived, string invocationId, SigV4Request identity, JsonElement json)
    {
        // SQS's SendMessageBatch, shaped as Connect Campaigns' PutDialRequestBatch: refused entries in Failed, with a code.
        var successful = new List<object>();
        var failed = new List<object>();
        foreach (var entry in json.GetProperty("Entries").EnumerateArray())
        {
            var id = entry.GetProperty("Id").GetString()!;
            var outcome = Decide(arrived, "json", "SendMessageBatch", invocationId, identity, [], spendsQuota: true, item: id, faults: false);
            if (outcome == EmulatorOutcome.Accepted)
            {
                var text = entry.GetProperty("MessageBody").GetString() ?? string.Empty;
                successful.Add(new { Id = id, MessageId = Guid.NewGuid().ToString(), MD5OfMessageBody = AwsWire.Md5Hex(text) });
            }
            else
            {
                failed.Add(new { Id = id, Code = outcome == EmulatorOutcome.Throttled ? _options.BatchThrottleCode : "DailyQuotaExceeded", SenderFault = false, Message = "Request throttled" });
            }
        }

        await AnswerJsonAsync(context, EmulatorOutcome.Accepted, new { Successful = successful, Failed = failed }).ConfigureAwait(false);
    }

    private async Task AnswerCampaignBatchAsync(HttpContext context, TimeSpan arrived, string invocationId, SigV4Request identity, string operation, JsonElement json)
    {
        // Each dial request (v1) or outbound request (v2) on its own: refused ones in failedRequests, with a failureCode.
        var list = operation == "PutDialRequestBatch" ? "dialRequests" : "outboundRequests";
        var successful = new List<object>();
        var failed = new List<object>();
        var items = json.ValueKind == JsonValueKind.Object && json.TryGetProperty(list, out var array) ? array.EnumerateArray().ToList() : [];
        foreach (var item in items)
        {
            var token = item.TryGetProperty("clientToken", out var t) ? t.GetString() ?? string.Empty : string.Empty;
            var outcome = Decide(arrived, "json", operation, invocationId, identity, [], spendsQuota: true, item: token, faults: false);
            if (outcome == EmulatorOutcome.Accepted)
            {
                successful.Add(new { clientToken = token, id = Guid.NewGuid().ToString() });
            }
            else
            {
                failed.Add(new { clientToken = token, id = Guid.NewGuid().ToString(), failureCode = outcome == EmulatorOutcome.Throttled ? _options.BatchThrottleCode : "UnknownError" });
            }
        }

        await AnswerJsonAsync(context, EmulatorOutcome.Accepted, new { successfulRequests = successful, failedRequests = failed }).ConfigureAwait(false);
    }
}
