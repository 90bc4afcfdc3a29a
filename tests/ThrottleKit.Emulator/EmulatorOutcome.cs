namespace ThrottleKit.Emulator;

/// <summary>What the emulator did with one HTTP attempt.</summary>
public enum EmulatorOutcome
{
    /// <summary>Processed and answered with success.</summary>
    Accepted,

    /// <summary>Refused for the rate: SES <c>Throttling</c> "Maximum sending rate exceeded." or Connect Campaigns <c>ThrottlingException</c> (429).</summary>
    Throttled,

    /// <summary>Refused for the 24-hour quota: SES <c>Throttling</c> "Daily message quota exceeded.".</summary>
    DailyQuotaExceeded,

    /// <summary>Processed, then answered with HTTP 500.</summary>
    ServerError,

    /// <summary>Processed, then left without an answer until the client gave up.</summary>
    Stalled,

    /// <summary>Processed, then the connection was dropped.</summary>
    Reset,
}
