using System;
using System.Linq;
using System.Threading;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.DependencyInjection;
using ThrottleKit.Aws.Tests.Support;
using Xunit.Abstractions;

namespace ThrottleKit.Aws.Tests.SdkParity;

/// <summary>Many partitions stay cheap: a bucket that is not in use holds a little memory and no timer.</summary>
[Collection(ProcessWide.Name)]
public class IdlePartitionTests(ITestOutputHelper output)
{
    [Fact]
    public void Ten_thousand_idle_partitions_take_at_most_a_kilobyte_each_and_no_timer()
    {
        const int Partitions = 10_000;
        using var provider = new ServiceCollection().AddThrottledAwsClients().MapServiceId("STS", AwsServiceKeys.SimpleEmail).Services.BuildServiceProvider();
        var throttle = provider.GetRequiredService<ThrottledAwsServices>().FindByServiceId("STS")!;
        var config = new AmazonSecurityTokenServiceConfig { AuthenticationRegion = "us-east-1" };

        // The requests as the SDK's pipeline hands them over, one account each; made first, so only the buckets are measured.
        var requests = Enumerable.Range(0, Partitions).Select(i => new RequestContext(false)
        {
            ClientConfig = config,
            OriginalRequest = new GetCallerIdentityRequest(),
            Identity = new BasicAWSCredentials($"AKIA{i:D16}", "secret", $"{i:D12}"),
        }).ToArray();
        throttle.Route(requests[0]);
        var timers = Timer.ActiveCount;
        var before = GC.GetTotalMemory(forceFullCollection: true);

        foreach (var request in requests)
        {
            throttle.Route(request);
        }

        var perPartition = (GC.GetTotalMemory(forceFullCollection: true) - before) / (double)(Partitions - 1);
        output.WriteLine($"{perPartition:0} bytes per idle partition; timers {timers} → {Timer.ActiveCount}");
        Assert.Equal(Partitions, provider.GetRequiredService<AwsThrottlingState>().GetBuckets().Count);
        Assert.InRange(perPartition, 1, 1024);

        // Timer.ActiveCount is process-wide: other tests' connection pools and servers start and stop timers meanwhile (CI
        // saw 7 → 4). A timer per partition would add 9,999; anything under one per hundred partitions is background.
        Assert.True(Timer.ActiveCount - timers < Partitions / 100, $"Routing {Partitions} partitions started timers: {timers} → {Timer.ActiveCount}.");
        GC.KeepAlive(requests);
    }
}
