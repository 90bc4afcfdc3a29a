using System;
using System.Collections.Generic;

namespace ThrottleKit.Aws;

/// <summary>
/// Amazon SES: one sending quota per account and Region that its API v1 and v2 clients (and SMTP) all spend; recipients are
/// the cost, only the sending operations spend the rate, 50 recipients a message at most, and the account's rate is read
/// with <c>GetSendQuota</c> (v1) or <c>GetAccount</c> (v2).
/// </summary>
internal static class SimpleEmailService
{
    private static readonly HashSet<string> SendingOperations = new(StringComparer.Ordinal)
    {
        "SendEmail", "SendRawEmail", "SendTemplatedEmail", "SendBulkTemplatedEmail", "SendCustomVerificationEmail", "SendBulkEmail",
    };

    public static AwsServiceDefinition Definition { get; } = new()
    {
        Key = AwsServiceKeys.SimpleEmail,
        ServiceIds = ["SES", "SESv2"],
        DefaultPermitsPerSecond = 14,   // the usual first production quota
        DefaultMaxCost = 50,
        ServiceMaxCost = 50,
        ServiceMaxCostReason = "Amazon SES accepts at most 50 recipients a message",
        CreateRules = logger => Rules(new SimpleEmailThrottlingClassifier(logger)),
        AccountQuotaReader = SimpleEmailAccountQuota.ReaderFor,
    };

    /// <summary>SES's rules with <paramref name="classifier"/>: recipients are the cost, and only SES's own clients' sends spend the sending rate.</summary>
    public static AwsThrottlingRules Rules(IThrottlingClassifier classifier)
        => new(classifier, SimpleEmailRecipientCounter.Count, SendingOperations.Contains, new HashSet<string>(["SES", "SESv2"], StringComparer.Ordinal));
}
