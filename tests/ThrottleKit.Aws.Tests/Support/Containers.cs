using System;
using Amazon.SecurityToken;
using Amazon.SQS;
using Microsoft.Extensions.DependencyInjection;
using ThrottleKit.Aws;
using ThrottleKit.Testing;

namespace ThrottleKit.Aws.Tests.Support;

/// <summary>
/// A container as an app builds it: STS and SQS clients from <c>AddAWSService</c> pointed at the emulator, then ThrottleKit.
/// STS is mapped to SES (both awsQuery; a stand-in spends the sending rate with every operation), SQS to Connect Campaigns
/// (JSON, with a batch call shaped like <c>PutDialRequestBatch</c>).
/// </summary>
internal static class Containers
{
    public static ServiceProvider Build(SesEmulator emulator, Action<AwsThrottlingOptions>? configure = null, Action<ThrottledAwsClientsBuilder>? configureBuilder = null)
    {
        var services = new ServiceCollection();
        services.AddDefaultAWSOptions(Clients.AwsOptions(emulator));
        services.AddAWSService<IAmazonSecurityTokenService>();
        services.AddAWSService<IAmazonSQS>();
        var builder = services.AddThrottledAwsClients(options => configure?.Invoke(options))
            .MapServiceId("STS", AwsServiceKeys.SimpleEmail)
            .MapServiceId("SQS", AwsServiceKeys.ConnectCampaigns);
        configureBuilder?.Invoke(builder);
        return services.BuildServiceProvider(validateScopes: true);
    }
}
