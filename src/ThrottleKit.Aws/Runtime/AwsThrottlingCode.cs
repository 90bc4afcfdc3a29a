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

    public Dictionary<string, Func<IServiceProvider, CancellationToken, Task<AccountQuota>>> AccountQuotaSources { get; } = new(StringComparer.OrdinalIgnoreCase);
}
