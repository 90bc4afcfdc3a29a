using Amazon.Runtime;
using Amazon.Util;

namespace ThrottleKit.Aws;

/// <summary>
/// Which bucket a call spends: AWS sets quotas per account and Region, and some per operation, so a bucket is one service's
/// rate for one account in one Region, for one operation group. The account is the one the credentials name (or the one
/// configured), never the access key: role sessions, renewed keys and the keys of other hosts of one account share a bucket.
/// </summary>
/// <param name="ServiceKey">The service key (<c>SES</c>).</param>
/// <param name="Region">The Region the request is signed for (<c>us-east-1</c>), or <c>*</c> when none can be told.</param>
/// <param name="Account">The account id (<c>123456789012</c>), or <c>*</c> when neither the credentials nor the options name one: the Region's one bucket for the service.</param>
/// <param name="Operation">The operation with a bucket of its own, or empty for the service's rate.</param>
internal readonly record struct AwsPartition(string ServiceKey, string Region, string Account, string Operation)
{
    public const string Any = "*";

    /// <summary>The bucket's name, the same in every process: <c>SES:us-east-1:123456789012</c>, with <c>:GetSendQuota</c> for an operation's own.</summary>
    public string BucketName => Operation.Length == 0 ? $"{ServiceKey}:{Region}:{Account}" : $"{ServiceKey}:{Region}:{Account}:{Operation}";

    /// <summary>The Region a request is signed for: the client's authentication Region, its Region endpoint, or the Region named in its URL.</summary>
    public static string RegionOf(IRequestContext requestContext)
    {
        var region = requestContext.Request?.AuthenticationRegion;
        if (string.IsNullOrEmpty(region))
        {
            region = requestContext.ClientConfig?.AuthenticationRegion;
        }

        if (string.IsNullOrEmpty(region))
        {
            region = requestContext.ClientConfig?.RegionEndpoint?.SystemName;
        }

        if (string.IsNullOrEmpty(region) && requestContext.Request?.Endpoint is { } endpoint)
        {
            region = AWSSDKUtils.DetermineRegion(endpoint.ToString());
        }

        return string.IsNullOrEmpty(region) ? Any : region!;
    }

    /// <summary>
    /// The account a request is made for: the one its credentials name (the SDK's role and container providers set it), else
    /// <paramref name="configured"/>, else <see cref="Any"/>.
    /// </summary>
    public static string AccountOf(IRequestContext requestContext, string? configured)
    {
        var account = (requestContext.Identity as AWSCredentials ?? requestContext.ExplicitAWSCredentials)?.GetCredentials()?.AccountId;
        return AccountIdSettingAttribute.IsValid(account) && !string.IsNullOrEmpty(account) ? account! : configured ?? Any;
    }
}
