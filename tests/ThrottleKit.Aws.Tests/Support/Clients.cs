using System;
using Amazon;
using Amazon.Extensions.NETCore.Setup;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SimpleSystemsManagement;
using ThrottleKit.Testing;

namespace ThrottleKit.Aws.Tests.Support;

/// <summary>Real SDK clients pointed at the emulator. STS speaks awsQuery, as SES does; SSM parses JSON errors as Connect Campaigns' client does.</summary>
internal static class Clients
{
    public static readonly BasicAWSCredentials Credentials = new("test", "test");

    public static AmazonSecurityTokenServiceClient Sts(SesEmulator emulator, int? maxErrorRetry = null, TimeSpan? timeout = null)
    {
        var config = new AmazonSecurityTokenServiceConfig();
        Point(config, emulator, maxErrorRetry, timeout);
        return new AmazonSecurityTokenServiceClient(Credentials, config);
    }

    public static AmazonSimpleSystemsManagementClient Ssm(SesEmulator emulator, int? maxErrorRetry = null)
    {
        var config = new AmazonSimpleSystemsManagementConfig();
        Point(config, emulator, maxErrorRetry, timeout: null);
        return new AmazonSimpleSystemsManagementClient(Credentials, config);
    }

    /// <summary>The options <c>AddAWSService&lt;T&gt;()</c> builds clients from.</summary>
    public static AWSOptions AwsOptions(SesEmulator emulator, int? maxErrorRetry = null, TimeSpan? timeout = null) => AwsOptions(emulator.Endpoint, maxErrorRetry, timeout);

    /// <summary>The options <c>AddAWSService&lt;T&gt;()</c> builds clients from, for a service at <paramref name="endpoint"/>.</summary>
    public static AWSOptions AwsOptions(Uri endpoint, int? maxErrorRetry = null, TimeSpan? timeout = null) => new()
    {
        Credentials = Credentials,
        Region = RegionEndpoint.USEast1,
        DefaultClientConfig =
        {
            ServiceURL = endpoint.ToString(),
            AuthenticationRegion = "us-east-1",
            IgnoreConfiguredEndpointUrls = true,
            MaxErrorRetry = maxErrorRetry,
            Timeout = timeout,
        },
    };

    private static void Point(ClientConfig config, SesEmulator emulator, int? maxErrorRetry, TimeSpan? timeout)
    {
        config.ServiceURL = emulator.Endpoint.ToString();
        config.AuthenticationRegion = "us-east-1";
        config.IgnoreConfiguredEndpointUrls = true;
        if (maxErrorRetry is { } retries)
        {
            config.MaxErrorRetry = retries;
        }

        if (timeout is { } value)
        {
            config.Timeout = value;
        }
    }
}
