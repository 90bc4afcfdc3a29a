using System;
using System.Collections.Generic;

namespace ThrottleKit.Testing;

/// <summary>
/// The quota, daily quota, rejected addresses and SMTP face of a <see cref="SesEmulator"/>. Each access key in each Region (of
/// its signature) gets a quota of its own, as each account does with AWS.
/// </summary>
public sealed class SesEmulatorOptions
{
    /// <summary>Gets or sets the quota's rate, in recipients (or calls) per second. Default 14, a usual first SES quota.</summary>
    public double RatePerSecond { get; set; } = 14;

    /// <summary>Gets or sets the quota's burst. Zero refuses everything: an always-throttled service. Default 14.</summary>
    public double Burst { get; set; } = 14;

    /// <summary>
    /// Gets the quota's rate in particular Regions (keyed by Region, e.g. <c>eu-west-1</c>), where it differs from
    /// <see cref="RatePerSecond"/>; the burst there is one second of it. <c>GetSendQuota</c> and <c>GetAccount</c> answer it.
    /// </summary>
    internal IDictionary<string, double> RegionRates { get; } = new Dictionary<string, double>(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets which account an access key belongs to. AWS sets quotas per account: role sessions, renewed keys and the
    /// keys of several IAM users of one account all spend its one quota. <see langword="null"/> (the default): each access
    /// key is an account of its own. Sessions the emulator hands out itself (its STS stand-in answers <c>AssumeRole</c> and
    /// <c>AssumeRoleWithWebIdentity</c>) are always their role's account's, as the ARN they were asked for names it.
    /// </summary>
    internal Func<string, string>? AccountOfAccessKey { get; set; }

    /// <summary>Gets or sets the 24-hour quota in recipients; <see langword="null"/> (the default) for none.</summary>
    public long? DailyQuota { get; set; }

    /// <summary>Gets or sets which faults are injected into requests the quota accepted.</summary>
    internal EmulatorFaults Faults { get; set; }

    /// <summary>Gets or sets the share of accepted requests that fail with one of <see cref="Faults"/>, in [0, 1].</summary>
    internal double FaultRate { get; set; }

    /// <summary>Gets or sets how long a stalled request waits before it is answered. Default 30 s.</summary>
    internal TimeSpan StallDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the seed of the fault dice, for reproducible runs.</summary>
    internal int Seed { get; set; } = 1;

    /// <summary>
    /// Gets or sets how far the service's clock is ahead of this machine's (behind when negative), as when a client's clock is
    /// skewed. A request signed more than <see cref="MaxSignatureAge"/> away from the service's time is refused as AWS refuses
    /// it, with the service's time in a <c>Date</c> header and in the message.
    /// </summary>
    internal TimeSpan ClockOffset { get; set; }

    /// <summary>Gets or sets how far a request's signing time (<c>X-Amz-Date</c>) may be from the service's time. Default 5 minutes, as AWS.</summary>
    internal TimeSpan MaxSignatureAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets the addresses SES refuses as unverified: a message naming one is answered <c>MessageRejected</c>, terminal.</summary>
    public ISet<string> RejectedAddresses { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets how an awsQuery request (SES v1) over the rate is refused. Default SES's <c>Throttling</c>.</summary>
    internal EmulatorAnswer QueryThrottle { get; set; } = EmulatorAnswer.SesThrottling;

    /// <summary>Gets or sets how an awsQuery request over the 24-hour quota is refused. Default SES's <c>Throttling</c> "Daily message quota exceeded.".</summary>
    internal EmulatorAnswer QueryDailyQuota { get; set; } = EmulatorAnswer.SesDailyQuota;

    /// <summary>Gets or sets how a JSON request (SES v2, Connect Campaigns) over the rate is refused. Default Connect Campaigns' 429 <c>ThrottlingException</c>; SES v2's is <see cref="EmulatorAnswer.SesV2Throttling"/>.</summary>
    internal EmulatorAnswer JsonThrottle { get; set; } = EmulatorAnswer.ConnectCampaignsThrottling;

    /// <summary>Gets or sets how a JSON request over the 24-hour quota is refused. Default SES v2's 400 <c>LimitExceededException</c>.</summary>
    internal EmulatorAnswer JsonDailyQuota { get; set; } = EmulatorAnswer.SesV2DailyQuota;

    /// <summary>Gets or sets the failure code of a batch item refused for the rate. Default <c>RequestThrottled</c>; Connect Campaigns v2 also answers <c>BufferLimitExceeded</c>.</summary>
    internal string BatchThrottleCode { get; set; } = "RequestThrottled";

    /// <summary>Gets or sets the HTTP port; 0 (the default) for a free one.</summary>
    internal int Port { get; set; }

    /// <summary>
    /// Gets or sets whether the emulator also speaks SMTP as SES's SMTP interface does, on a port of its own
    /// (<see cref="SesEmulator.SmtpPort"/>), without TLS. As SES does, it requires AUTH (PLAIN or LOGIN) before MAIL and answers
    /// <c>530 Authentication required</c> otherwise; any user name and password are accepted, and the user name is the account
    /// whose quota the session's messages count against (with MailKit: <c>await client.AuthenticateAsync("account", "any")</c>).
    /// </summary>
    public bool Smtp { get; set; }

    /// <summary>Gets or sets the Region SMTP sends are counted in (SMTP carries none). Default <c>us-east-1</c>.</summary>
    internal string SmtpRegion { get; set; } = "us-east-1";

    /// <summary>
    /// How many messages one SMTP session takes before the server ends it (<c>421</c> to the next MAIL, then it closes the
    /// connection), as SES and most servers do after a number of messages; <see langword="null"/> (the default) for no limit.
    /// </summary>
    internal int? SmtpMessagesPerSession { get; set; }

    /// <summary>The wait a throttle asks for in <c>x-amz-retry-after</c> (milliseconds), as services that send it do; <see langword="null"/> (the default) sends none.</summary>
    internal TimeSpan? ThrottleRetryAfter { get; set; }
}
