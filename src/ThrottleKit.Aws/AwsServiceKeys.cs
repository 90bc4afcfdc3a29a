namespace ThrottleKit.Aws;

/// <summary>
/// The keys of the services ThrottleKit knows. Each names a quota (its buckets, one per account, Region and operation
/// group), the SDK clients it covers (by <c>ClientConfig.ServiceId</c>) and the rules that classify and count their calls.
/// </summary>
public static class AwsServiceKeys
{
    /// <summary>Amazon SES: clients with service id <c>SES</c> or <c>SESv2</c>. Default 14 recipients per second.</summary>
    public const string SimpleEmail = "SES";

    /// <summary>Amazon Connect Campaigns: clients with service id <c>ConnectCampaigns</c> or <c>ConnectCampaignsV2</c>. Default 5 calls per second.</summary>
    public const string ConnectCampaigns = "ConnectCampaigns";
}
