using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace ThrottleKit.Testing;

// SES v1 and the STS stand-in, over awsQuery: sends, bulk sends (a status per destination), GetSendQuota, role sessions, and errors as XML.
public sealed partial class SesEmulator
{
    private async Task AnswerQueryAsync(HttpContext context, string action, string version, SigV4Request identity, IFormCollection form, EmulatorOutcome outcome)
    {
        if (!await ApplyTransportFaultAsync(context, outcome).ConfigureAwait(false))
        {
            return;
        }

        var requestId = context.Response.Headers["x-amzn-RequestId"].ToString();
        var refusal = outcome switch
        {
            EmulatorOutcome.Throttled => _options.QueryThrottle,
            EmulatorOutcome.DailyQuotaExceeded => _options.QueryDailyQuota,
            EmulatorOutcome.ServerError => new EmulatorAnswer(500, "InternalFailure", "The request processing has failed because of an unknown error."),
            EmulatorOutcome.Rejected => new EmulatorAnswer(400, "MessageRejected", "Email address is not verified."),
            _ => null,
        };
        context.Response.ContentType = AwsWire.QueryContentType;
        if (refusal is null)
        {
            var result = action switch
            {
                "AssumeRole" or "AssumeRoleWithWebIdentity" => IssueSession(form["RoleArn"].ToString(), form["RoleSessionName"].ToString()),
                // The account a key belongs to where one is known (a session it handed out, AccountOfAccessKey), else an example's.
                "GetCallerIdentity" => AwsWire.CallerIdentity(_quotas.AccountOf(identity.Account) is { Length: 12 } known && known.All(char.IsAsciiDigit) ? known : "123456789012"),
                _ => AwsWire.QueryResult(action, AwsWire.NewMessageId(), _quotas.QuotaIn(identity.Region).Rate, _options.DailyQuota, _quotas.SentTodayBy(identity.Account, identity.Region)),
            };
            await context.Response.WriteAsync(AwsWire.QuerySuccess(action, version, requestId, result), context.RequestAborted).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = refusal.StatusCode;
        AddRetryAfter(context.Response, outcome);
        await context.Response.WriteAsync(AwsWire.QueryError(refusal.StatusCode >= 500 ? "Receiver" : "Sender", refusal.Code, refusal.Message, requestId), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// A role session as STS hands it out: a key of its own (ASIA…), an hour to live, and the role's account in the assumed
    /// role's ARN; requests signed with the key spend that account's quota, as with AWS.
    /// </summary>
    private string IssueSession(string roleArn, string sessionName)
    {
        // arn:aws:iam::123456789012:role/Name
        var parts = roleArn.Split(':');
        var account = parts.Length >= 6 && parts[4].Length > 0 ? parts[4] : "123456789012";
        var role = parts.Length >= 6 ? parts[5][(parts[5].IndexOf('/', StringComparison.Ordinal) + 1)..] : "role";
        var accessKey = "ASIA" + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture)[..16].ToUpperInvariant();
        _quotas.Issue(accessKey, account);
        return AwsWire.RoleSession(accessKey, ServiceTime + TimeSpan.FromHours(1), account, role, sessionName.Length > 0 ? sessionName : "session");
    }

    private async Task AnswerBulkTemplatedAsync(HttpContext context, TimeSpan arrived, string invocationId, SigV4Request identity, IFormCollection form)
    {
        // Destinations.member.N.Destination.ToAddresses.member.M: one status per destination, in order.
        var destinations = form.Keys
            .Where(k => k.StartsWith("Destinations.member.", StringComparison.Ordinal))
            .GroupBy(k => int.Parse(k.Split('.')[2], CultureInfo.InvariantCulture))
            .OrderBy(g => g.Key);
        var statuses = new System.Text.StringBuilder("<Status>");
        foreach (var destination in destinations)
        {
            var recipients = destination.Where(k => k.Contains("Addresses.member.", StringComparison.Ordinal)).Select(k => form[k].ToString()).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var outcome = Decide(arrived, "awsQuery", "SendBulkTemplatedEmail", invocationId, identity, recipients, spendsQuota: true, item: destination.Key.ToString(CultureInfo.InvariantCulture), faults: false);
            statuses.Append("<member><Status>").Append(outcome == EmulatorOutcome.Accepted ? "Success" : BulkStatus(outcome, v2: false)).Append("</Status>");
            if (outcome == EmulatorOutcome.Accepted)
            {
                statuses.Append("<MessageId>").Append(AwsWire.NewMessageId()).Append("</MessageId>");
            }

            statuses.Append("</member>");
        }

        statuses.Append("</Status>");
        context.Response.ContentType = AwsWire.QueryContentType;
        await context.Response.WriteAsync(AwsWire.QuerySuccess("SendBulkTemplatedEmail", "2010-12-01", context.Response.Headers["x-amzn-RequestId"].ToString(), statuses.ToString()), context.RequestAborted).ConfigureAwait(false);
    }

    private static string BulkStatus(EmulatorOutcome outcome, bool v2) => (outcome, v2) switch
    {
        (EmulatorOutcome.Throttled, false) => "AccountThrottled",
        (EmulatorOutcome.Throttled, true) => "ACCOUNT_THROTTLED",
        (EmulatorOutcome.DailyQuotaExceeded, false) => "AccountDailyQuotaExceeded",
        (EmulatorOutcome.DailyQuotaExceeded, true) => "ACCOUNT_DAILY_QUOTA_EXCEEDED",
        (_, false) => "MessageRejected",
        _ => "MESSAGE_REJECTED",
    };
}
