namespace ThrottleKit.Aws;

/// <summary>Amazon Connect Campaigns (API v1): every call costs one and spends the rate; default 5 calls per second.</summary>
internal static class ConnectCampaignsService
{
    /// <summary>Gets the rules both Connect Campaigns APIs share: every call costs one, spends the rate, and a 429 is a throttle.</summary>
    public static AwsThrottlingRules Rules { get; } = new(ConnectCampaignsThrottlingClassifier.Instance);

    public static AwsServiceDefinition Definition { get; } = new()
    {
        Key = AwsServiceKeys.ConnectCampaigns,
        ServiceIds = ["ConnectCampaigns"],
        DefaultPermitsPerSecond = 5,
        CreateRules = _ => Rules,
    };
}
