using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.Util;

namespace ThrottleKit.Aws;

/// <summary>
/// Which bucket a call spends: AWS sets quotas per account and Region, and some per operation, so a bucket is one service's
/// rate for one account (known by its access key, never kept or logged as such) in one Region, for one operation group.
/// </summary>
/// <param name="ServiceKey">The service key (<c>SES</c>).</param>
/// <param name="Region">The Region the request is signed for (<c>us-east-1</c>), or <c>*</c> when none can be told.</param>
/// <param name="Account">A short hash of the access key, or <c>*</c>: a keyed executor's calls, whose credentials ThrottleKit never sees.</param>
/// <param name="Operation">The operation with a bucket of its own, or empty for the service's rate.</param>
internal readonly record struct AwsPartition(string ServiceKey, string Region, string Account, string Operation)
{
    public const string Any = "*";

    private static readonly ConditionalWeakTable<string, string> AccountHashes = new();

    /// <summary>The bucket's name, the same in every process: <c>SES:us-east-1:1a2b3c4d5e6f7a8b</c>, with <c>:GetSendQuota</c> for an operation's own.</summary>
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

    /// <summary>The account a request is made for, as a hash of its access key: two credentials, two quotas.</summary>
    public static string AccountOf(IRequestContext requestContext)
    {
        var accessKey = (requestContext.Identity as AWSCredentials ?? requestContext.ExplicitAWSCredentials)?.GetCredentials()?.AccessKey;
        return string.IsNullOrEmpty(accessKey) ? Any : AccountHashes.GetValue(accessKey!, Hash);
    }

    private static string Hash(string accessKey)
    {
        // One-way and short: enough to tell accounts apart in a Redis key, nothing an access key could be read back from.
#if NET
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(accessKey));
#else
        using var sha = SHA256.Create();
        var digest = sha.ComputeHash(Encoding.UTF8.GetBytes(accessKey));
#endif
        var text = new StringBuilder(16);
        for (var i = 0; i < 8; i++)
        {
            text.Append(digest[i].ToString("x2", CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }
}
