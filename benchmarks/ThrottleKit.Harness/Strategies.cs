using System;
using System.Threading;
using System.Threading.Tasks;
using Amazon;
using Amazon.Extensions.NETCore.Setup;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.DependencyInjection;
using Polly;
using Polly.Retry;
using ThrottleKit.Aws;
using ThrottleKit.Aws.DependencyInjection;
using ThrottleKit.Emulator;

namespace ThrottleKit.Harness;

/// <summary>
/// The strategies compared, all with the same real SDK client (STS, which speaks SES's awsQuery protocol) over loopback.
/// </summary>
public static class Strategies
{
    private static readonly BasicAWSCredentials Credentials = new("harness", "harness");

    /// <summary>(a) The SDK's default: standard retry mode, 3 attempts, no client-side rate limit.</summary>
    public static SenderStrategy SdkStandard { get; } = new("(a) SDK Standard retry", (emulator, _) =>
        new ClientSender(new AmazonSecurityTokenServiceClient(Credentials, Config(emulator, RequestRetryMode.Standard))));

    /// <summary>(b) The SDK's adaptive retry mode: a client-side CUBIC token bucket, switched on by the first throttle.</summary>
    public static SenderStrategy SdkAdaptive { get; } = new("(b) SDK Adaptive retry", (emulator, _) =>
        new ClientSender(new AmazonSecurityTokenServiceClient(Credentials, Config(emulator, RequestRetryMode.Adaptive))));

    /// <summary>(c) What teams write first: Polly exponential backoff with jitter on throttles, 10 ms … 5 s, 10 retries, no limiter.</summary>
    public static SenderStrategy PollyBackoff { get; } = new("(c) Polly backoff, no limiter", (emulator, _) =>
    {
        var config = Config(emulator, RequestRetryMode.Standard);
        config.MaxErrorRetry = 0;
        var pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<AmazonServiceException>(e => e.ErrorCode is "Throttling" or "ThrottlingException"),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(10),
                MaxDelay = TimeSpan.FromSeconds(5),
                MaxRetryAttempts = 10,
            })
            .Build();
        return new ClientSender(new AmazonSecurityTokenServiceClient(Credentials, config), pipeline);
    });

    /// <summary>(d) ThrottleKit through <c>AddThrottledAwsClients</c>, told the quota.</summary>
    public static SenderStrategy ThrottleKitKnownRate { get; } = new("(d) ThrottleKit, known rate", (emulator, options) =>
    {
        var services = new ServiceCollection();
        services.AddDefaultAWSOptions(new AWSOptions
        {
            Credentials = Credentials,
            Region = RegionEndpoint.USEast1,
            DefaultClientConfig = { ServiceURL = emulator.Endpoint.ToString(), AuthenticationRegion = "us-east-1", IgnoreConfiguredEndpointUrls = true },
        });
        services.AddAWSService<IAmazonSecurityTokenService>();
        services.AddThrottledAwsClients(o =>
        {
            o.MapServiceId("STS", AwsServiceKeys.SimpleEmail);
            o.Services[AwsServiceKeys.SimpleEmail].UseRules(AwsThrottlingRules.SimpleEmail.AlsoSpendingServiceRate("GetCallerIdentity"));
            o.Services[AwsServiceKeys.SimpleEmail].RateLimit.PermitsPerSecond = options.Quota;
            o.Services[AwsServiceKeys.SimpleEmail].RateLimit.Burst = (int)options.Burst;
        });
        var provider = services.BuildServiceProvider();
        return new ClientSender(provider.GetRequiredService<IAmazonSecurityTokenService>(), owner: provider);
    });

    /// <summary>All four, in report order.</summary>
    public static SenderStrategy[] All { get; } = [SdkStandard, SdkAdaptive, PollyBackoff, ThrottleKitKnownRate];

    private static AmazonSecurityTokenServiceConfig Config(AwsThrottlingEmulator emulator, RequestRetryMode mode) => new()
    {
        ServiceURL = emulator.Endpoint.ToString(),
        AuthenticationRegion = "us-east-1",
        IgnoreConfiguredEndpointUrls = true,
        RetryMode = mode,
    };

    private sealed class ClientSender(IAmazonSecurityTokenService client, ResiliencePipeline? pipeline = null, IAsyncDisposable? owner = null) : ISender
    {
        public Task SendAsync(CancellationToken cancellationToken)
            => pipeline is null
                ? client.GetCallerIdentityAsync(new GetCallerIdentityRequest(), cancellationToken)
                : pipeline.ExecuteAsync(async ct => await client.GetCallerIdentityAsync(new GetCallerIdentityRequest(), ct).ConfigureAwait(false), cancellationToken).AsTask();

        public async ValueTask DisposeAsync()
        {
            if (owner is not null)
            {
                await owner.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                client.Dispose();
            }
        }
    }
}
