namespace ThrottleKit.Aws;

/// <summary>
/// Amazon Connect Campaigns API v2 (<c>PutOutboundRequestBatch</c> …): a service of its own with its own API quotas, answered
/// as v1 is; default 5 calls per second.
/// </summary>
internal static class ConnectCampaignsV2Service
{
    public static AwsServiceDefinition Definition { get; } = new()
    {
        Key = AwsServiceKeys.ConnectCampaignsV2,
        ServiceIds = ["ConnectCampaignsV2"],
        DefaultPermitsPerSecond = 5,
        CreateRules = _ => ConnectCampaignsService.Rules,
    };
}
