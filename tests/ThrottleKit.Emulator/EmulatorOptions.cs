using System;

namespace ThrottleKit.Emulator;

/// <summary>The quota and faults of an <see cref="AwsThrottlingEmulator"/>.</summary>
public sealed class EmulatorOptions
{
    /// <summary>Gets or sets the quota's rate (recipients or calls per second). Default 14, a usual first SES quota.</summary>
    public double RatePerSecond { get; set; } = 14;

    /// <summary>Gets or sets the quota's burst. Zero refuses everything (an always-throttled service). Default 14.</summary>
    public double Burst { get; set; } = 14;

    /// <summary>Gets or sets the 24-hour quota in recipients; <see langword="null"/> for none.</summary>
    public long? DailyQuota { get; set; }

    /// <summary>Gets or sets which faults are injected.</summary>
    public EmulatorFaults Faults { get; set; }

    /// <summary>Gets or sets the share of processed requests that fail with one of <see cref="Faults"/>, in [0, 1].</summary>
    public double FaultRate { get; set; }

    /// <summary>Gets or sets how long a stalled request waits before it is answered. Default 30 s.</summary>
    public TimeSpan StallDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how an awsQuery request (SES v1's protocol) over the rate is refused. Default SES's <c>Throttling</c>.</summary>
    public EmulatorAnswer QueryThrottle { get; set; } = EmulatorAnswer.SesThrottling;

    /// <summary>Gets or sets how an awsQuery request over the 24-hour quota is refused. Default SES's <c>Throttling</c> "Daily message quota exceeded.".</summary>
    public EmulatorAnswer QueryDailyQuota { get; set; } = EmulatorAnswer.SesDailyQuota;

    /// <summary>Gets or sets how a JSON request over the rate is refused. Default Connect Campaigns' 429 <c>ThrottlingException</c>.</summary>
    public EmulatorAnswer JsonThrottle { get; set; } = EmulatorAnswer.ConnectCampaignsThrottling;

    /// <summary>Gets or sets how a JSON request over the 24-hour quota is refused. Default SES v2's 400 <c>LimitExceededException</c>.</summary>
    public EmulatorAnswer JsonDailyQuota { get; set; } = EmulatorAnswer.SesV2DailyQuota;

    /// <summary>Gets or sets the failure code of a batch entry refused for the rate. Default <c>RequestThrottled</c>.</summary>
    public string BatchThrottleCode { get; set; } = "RequestThrottled";

    /// <summary>Gets or sets the seed of the fault dice, for reproducible runs.</summary>
    public int Seed { get; set; } = 1;
}
