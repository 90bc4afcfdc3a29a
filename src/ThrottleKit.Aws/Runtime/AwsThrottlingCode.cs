using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace ThrottleKit.Aws;

/// <summary>
/// What configuration cannot hold: the code registered on the builder (<c>UseRules</c>, <c>UseAccountQuota</c>), kept apart
/// from <see cref="AwsThrottlingOptions"/> so that the options stay plain data.
/// </summary>
internal sealed class AwsThrottlingCode
{
    public Dictionary<string, AwsThrottlingRules> Rules { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Per service: given a client, the reader of its account's quota in its Region, or null when it is not the client type the reader takes.</summary>
    public Dictionary<string, Func<object, Func<CancellationToken, Task<AccountQuota>>?>> AccountQuotaReaders { get; } = new(StringComparer.OrdinalIgnoreCase);
}
