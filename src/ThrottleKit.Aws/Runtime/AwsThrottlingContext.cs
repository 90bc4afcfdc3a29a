using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace ThrottleKit.Aws;

/// <summary>What every service of one container shares: the clock, the store buckets live in, telemetry, and the container itself.</summary>
internal sealed class AwsThrottlingContext(
    TimeProvider timeProvider,
    IRateLimiterStore store,
    ILoggerFactory? loggerFactory,
    ThrottleKitMetrics? metrics,
    IServiceProvider services,
    AwsThrottlingCode code)
{
    public TimeProvider TimeProvider { get; } = timeProvider;

    public IRateLimiterStore Store { get; } = store;

    public IServiceProvider Services { get; } = services;

    public ILoggerFactory? LoggerFactory { get; } = loggerFactory;

    /// <summary>Gets the container's ThrottleKit logger (category <c>ThrottleKit</c>).</summary>
    public ILogger Logger { get; } = (ILogger?)loggerFactory?.CreateLogger("ThrottleKit") ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>How the account's quota is read through <paramref name="client"/>: the reader given for the service, else the service's own; null when neither applies.</summary>
    public Func<CancellationToken, Task<AccountQuota>>? AccountQuotaReader(string serviceKey, object client)
        => code.AccountQuotaReaders.TryGetValue(serviceKey, out var reader)
            ? reader(client)
            : AwsServiceCatalog.Find(serviceKey)?.AccountQuotaReader?.Invoke(client);

    /// <summary>A bucket's telemetry: tagged with its service (an operation's bucket as <c>SES:GetSendQuota</c>), Region and AWS service.</summary>
    public ThrottleKitTelemetry Telemetry(AwsPartition partition)
    {
        var name = partition.Operation.Length == 0 || partition.Operation[0] == '('
            ? partition.ServiceKey
            : $"{partition.ServiceKey}:{partition.Operation}";
        return new ThrottleKitTelemetry(
            name,
            LoggerFactory,
            metrics,
            [new KeyValuePair<string, object?>("cloud.region", partition.Region), new KeyValuePair<string, object?>("aws.service", partition.ServiceKey)]);
    }
}
