namespace ThrottleKit.Aws;

/// <summary>
/// The keys of the services ThrottleKit knows. Each names a quota (its buckets, one per account, Region and operation
/// group), the SDK clients it covers (by <c>ClientConfig.ServiceId</c>) and the rules that classify and count their calls.
/// </summary>
public static class AwsServiceKeys
{
    /// <summary>
    /// Amazon SES: clients with service id <c>SES</c> (API v1) or <c>SESv2</c> (API v2), and SMTP. One key for both APIs: SES has
    /// one sending quota per account and Region, which every path spends. Default 14 recipients per second.
    /// </summary>
    public const string SimpleEmail = "SES";

    /// <summary>Amazon Connect Campaigns (API v1): clients with service id <c>ConnectCampaigns</c>. Default 5 calls per second.</summary>
    public const string ConnectCampaigns = "ConnectCampaigns";

    /// <summary>
    /// Amazon Connect Campaigns API v2 (<c>PutOutboundRequestBatch</c> …): clients with service id <c>ConnectCampaignsV2</c>, a
    /// service of its own with its own API quotas. Default 5 calls per second.
    /// </summary>
    public const string ConnectCampaignsV2 = "ConnectCampaignsV2";
}
