using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace ThrottleKit.Aws;

/// <summary>
/// Everything ThrottleKit knows of one AWS service, in one place: its key, the SDK service ids of its clients, its default
/// rate and cost limit, the rules that classify and count its calls, and how its account's quota is read. The option
/// defaults, the validator, the buckets and the quota reading all read it; a new service is one definition and one line in
/// <see cref="AwsServiceCatalog"/> (docs/adding-a-service.md).
/// </summary>
internal sealed class AwsServiceDefinition
{
    /// <summary>Gets the service key: the quota's name in options, configuration, bucket names and telemetry.</summary>
    public string Key { get; init; } = string.Empty;

    /// <summary>Gets the <c>ClientConfig.ServiceId</c>s of the SDK clients whose calls spend the service's quota.</summary>
    public IReadOnlyList<string> ServiceIds { get; init; } = [];

    /// <summary>Gets the rate a bucket starts with until the user or the account says otherwise.</summary>
    public double DefaultPermitsPerSecond { get; init; }

    /// <summary>Gets the most a request may cost by default (<see cref="AwsServiceThrottlingOptions.MaxCost"/>).</summary>
    public int DefaultMaxCost { get; init; } = 1_000_000;

    /// <summary>Gets the most the service itself accepts in one request, past which MaxCost may not be set; none when null.</summary>
    public int? ServiceMaxCost { get; init; }

    /// <summary>Gets the service's own words for <see cref="ServiceMaxCost"/>, e.g. "Amazon SES accepts at most 50 recipients a message".</summary>
    public string? ServiceMaxCostReason { get; init; }

    /// <summary>Gets the service's rules, made once per container (a classifier may log through the container's logger).</summary>
    public Func<ILogger, AwsThrottlingRules> CreateRules { get; init; } = static _ => throw new InvalidOperationException("A service definition needs its rules.");

    /// <summary>Gets how the account's quota is read through a client of the service, when the service says it; none when null.</summary>
    public Func<object, Func<CancellationToken, Task<AccountQuota>>?>? AccountQuotaReader { get; init; }
}
