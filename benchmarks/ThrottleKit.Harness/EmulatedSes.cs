using System;
using Amazon;
using Amazon.Extensions.NETCore.Setup;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Microsoft.Extensions.DependencyInjection;
using ThrottleKit.Aws;

namespace ThrottleKit.Harness;

/// <summary>
/// The container an app builds: an STS client from <c>AddAWSService</c> pointed at the emulator (STS speaks SES's protocol,
/// and its <c>GetCallerIdentity</c> stands for a send), under <c>AddThrottledAwsClients</c> as SES.
/// </summary>
internal static class EmulatedSes
{
    private static readonly BasicAWSCredentials Credentials = new("harness", "harness");

    /// <summary>Registers the client and ThrottleKit; <paramref name="configure"/> sets the SES service's rate and the rest.</summary>
    /// <param name="services">The app's services.</param>
    /// <param name="endpoint">The emulator's endpoint.</param>
    /// <param name="configure">Sets the SES service's throttling.</param>
    /// <param name="credentials">The client's credentials; one long-term key when <see langword="null"/>.</param>
    public static ThrottledAwsClientsBuilder AddThrottledSes(this IServiceCollection services, string endpoint, Action<AwsServiceThrottlingOptions> configure, AWSCredentials? credentials = null)
    {
        services.AddDefaultAWSOptions(new AWSOptions
        {
            Credentials = credentials ?? Credentials,
            Region = RegionEndpoint.USEast1,
            DefaultClientConfig = { ServiceURL = endpoint, AuthenticationRegion = "us-east-1", IgnoreConfiguredEndpointUrls = true },
        });
        services.AddAWSService<IAmazonSecurityTokenService>();
        return services.AddThrottledAwsClients(options => configure(options.Services[AwsServiceKeys.SimpleEmail]))
            .MapServiceId("STS", AwsServiceKeys.SimpleEmail);
    }
}
