using System;
using System.Linq;
using Amazon.Runtime;
using Amazon.S3;
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
    public static ServiceProvider Build(
        SesEmulator emulator,
        Action<AwsThrottlingOptions>? configure = null,
        Action<ThrottledAwsClientsBuilder>? configureBuilder = null,
        Action<IServiceCollection>? services = null)
        => Build(emulator.Endpoint, configure, configureBuilder, services);

    /// <summary>The same, for a service at <paramref name="endpoint"/>: one that is not listening yet, for instance.</summary>
    public static ServiceProvider Build(
        Uri endpoint,
        Action<AwsThrottlingOptions>? configure = null,
        Action<ThrottledAwsClientsBuilder>? configureBuilder = null,
        Action<IServiceCollection>? services = null)
    {
        var collection = new ServiceCollection();
        services?.Invoke(collection);
        collection.AddDefaultAWSOptions(Clients.AwsOptions(endpoint));
        collection.AddAWSService<IAmazonSecurityTokenService>();
        collection.AddAWSService<IAmazonSQS>();
        var builder = collection.AddThrottledAwsClients(options =>
            {
                configure?.Invoke(options);
                StartFull(options);
            })
            .MapServiceId("STS", AwsServiceKeys.SimpleEmail)
            .MapServiceId("SQS", AwsServiceKeys.ConnectCampaigns);
        configureBuilder?.Invoke(builder);
        return collection.BuildServiceProvider(validateScopes: true);
    }

    /// <summary>
    /// These containers' tests count permits from a full bucket, as a bucket is once the process has run for a second; how a
    /// fresh bucket starts (empty, the AWS default) is tested on containers of its own.
    /// </summary>
    private static void StartFull(AwsThrottlingOptions options)
    {
        foreach (var service in options.Services.Values)
        {
            service.RateLimit.StartEmpty = false;
            foreach (var rateLimit in service.Regions.Values.Concat(service.Operations.Values))
            {
                rateLimit.StartEmpty = false;
            }
        }
    }

    /// <summary>
    /// An S3 client of the container's, path-style against the emulator, throttled as a service of the app's own: 503
    /// <c>SlowDown</c> is its throttle, retried after <paramref name="retryDelay"/> on the container's clock.
    /// </summary>
    public static ServiceProvider BuildWithS3(SesEmulator emulator, TimeSpan retryDelay, Action<IServiceCollection>? services = null) => Build(
        emulator,
        options =>
        {
            var s3 = new AwsServiceThrottlingOptions { RateLimit = { PermitsPerSecond = 1000, Burst = 1000 }, Backoff = { MinDelay = retryDelay, MaxDelay = retryDelay, MaxRetries = 3 } };
            s3.ServiceIds.Add("S3");
            options.Services["S3"] = s3;
        },
        builder => builder.UseRules("S3", new AwsThrottlingRules(ThrottlingClassifier.Create(
            e => e is AmazonServiceException { ErrorCode: "SlowDown" } ? ThrottlingClassification.Retriable : ThrottlingClassification.Terminal))),
        collection =>
        {
            services?.Invoke(collection);
            collection.AddSingleton<IAmazonS3>(_ => new AmazonS3Client(Clients.Credentials, new AmazonS3Config
            {
                ServiceURL = emulator.Endpoint.ToString(),
                AuthenticationRegion = "us-east-1",
                ForcePathStyle = true,
                IgnoreConfiguredEndpointUrls = true,
            }));
        });
}
