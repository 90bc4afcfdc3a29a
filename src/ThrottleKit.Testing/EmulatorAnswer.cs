namespace ThrottleKit.Testing;

/// <summary>How the emulator words one kind of refusal: the HTTP status, the error code and the message.</summary>
/// <param name="StatusCode">The HTTP status, e.g. 400 or 429.</param>
/// <param name="Code">The error code: awsQuery's <c>&lt;Code&gt;</c>, JSON's <c>x-amzn-ErrorType</c>.</param>
/// <param name="Message">The message, exactly as sent.</param>
internal sealed record EmulatorAnswer(int StatusCode, string Code, string Message)
{
    /// <summary>Gets SES v1's send-rate throttle: 400 <c>Throttling</c> "Maximum sending rate exceeded.".</summary>
    public static EmulatorAnswer SesThrottling { get; } = new(400, "Throttling", "Maximum sending rate exceeded.");

    /// <summary>Gets SES v1's spent 24-hour quota: 400 <c>Throttling</c> "Daily message quota exceeded.".</summary>
    public static EmulatorAnswer SesDailyQuota { get; } = new(400, "Throttling", "Daily message quota exceeded.");

    /// <summary>Gets SES v2's send-rate throttle: 429 <c>TooManyRequestsException</c> "Maximum sending rate exceeded.".</summary>
    public static EmulatorAnswer SesV2Throttling { get; } = new(429, "TooManyRequestsException", "Maximum sending rate exceeded.");

    /// <summary>Gets SES v2's spent 24-hour quota: 400 <c>LimitExceededException</c> "Daily message quota exceeded.".</summary>
    public static EmulatorAnswer SesV2DailyQuota { get; } = new(400, "LimitExceededException", "Daily message quota exceeded.");

    /// <summary>Gets Amazon Connect Campaigns' throttle: 429 <c>ThrottlingException</c> "Rate exceeded".</summary>
    public static EmulatorAnswer ConnectCampaignsThrottling { get; } = new(429, "ThrottlingException", "Rate exceeded");
}
