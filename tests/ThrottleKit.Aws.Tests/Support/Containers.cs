using System;
using Amazon.SecurityToken;
using Amazon.SQS;
using Microsoft.Extensions.DependencyInjection;
using ThrottleKit.Aws.DependencyInjection;
using ThrottleKit.Emulator;

namespace ThrottleKit.Aws.Tests.Support;

/// <summary>
/// A container as an app builds it: STS and SQS clients from <c>AddAWSService</c> pointed at the emulator, then ThrottleKit.
/// STS is mapped to SES (both awsQuery; <c>GetCallerIdentity</c> spends the sending rate), SQS to Connect Campaigns (JSON,
/// with a batch call shaped like <c>PutDialRequestBatch</c>).
/// </summary>
internal static class Containers
{
    public static ServiceProvider Build(AwsThrottlingEmulator emulator, Action<AwsThrottlingOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddDefaultAWSOptions(Clients.AwsOptions(emulator));
        services.AddAWSService<IAmazonSecurityTokenService>();
        services.AddAWSService<IAmazonSQS>();
        services.AddThrottledAwsClients(options =>
        {
            options.MapServiceId("STS", AwsServiceKeys.SimpleEmail);
            options.MapServiceId("SQS", AwsServiceKeys.ConnectCampaigns);
            options.Services[AwsServiceKeys.SimpleEmail].UseRules(AwsThrottlingRules.SimpleEmail.AlsoSpendingServiceRate("GetCallerIdentity"));
            configure?.Invoke(options);
        });
        return services.BuildServiceProvider(validateScopes: true);
    }
}
