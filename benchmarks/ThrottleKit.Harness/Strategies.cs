using System;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.DependencyInjection;
using Polly;
using Polly.Retry;
using ThrottleKit.Aws;
using ThrottleKit;
using ThrottleKit.Testing;

namespace ThrottleKit.Harness;

/// <summary>
/// The strategies compared, all with the same real SDK client (STS, which speaks SES's awsQuery protocol) over loopback.
/// </summary>
public static class Strategies
{
    private static readonly BasicAWSCredentials Credentials = new("harness", "harness");

    /// <summary>Gets the AWSSDK.Core this process loaded (the SDK rows name it: the goodput run measures two).</summary>
    public static string SdkCoreVersion { get; } =
        typeof(AmazonServiceException).Assembly.GetCustomAttribute<AssemblyFileVersionAttribute>()?.Version ?? "unknown";

    /// <summary>(a) The SDK's default: standard retry mode, 3 attempts, no client-side rate limit.</summary>
    public static SenderStrategy SdkStandard { get; } = new($"(a) SDK Standard retry, AWSSDK.Core {SdkCoreVersion}", (emulator, _) =>
        new ClientSender(new AmazonSecurityTokenServiceClient(Credentials, Config(emulator, RequestRetryMode.Standard))));

    /// <summary>(b) The SDK's adaptive retry mode: a client-side CUBIC token bucket, switched on by the first throttle.</summary>
    public static SenderStrategy SdkAdaptive { get; } = new($"(b) SDK Adaptive retry, AWSSDK.Core {SdkCoreVersion}", (emulator, _) =>
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
        ThrottleKit(emulator, options, options.Quota, adaptive: false));

    /// <summary>(e) ThrottleKit with the adaptive rate, starting at <paramref name="factor"/> times the true quota.</summary>
    /// <param name="factor">The starting rate as a multiple of the quota.</param>
    /// <param name="name">The row's name.</param>
    /// <returns>The strategy.</returns>
    public static SenderStrategy ThrottleKitAdaptive(double factor, string name) => new(name, (emulator, options) =>
        ThrottleKit(emulator, options, options.Quota * factor, adaptive: true));

    /// <summary>The four baseline rows (a)–(d), in report order.</summary>
    public static SenderStrategy[] All { get; } = [SdkStandard, SdkAdaptive, PollyBackoff, ThrottleKitKnownRate];

    /// <summary>(a)–(d) and the adaptive rows (e), for a fixed quota.</summary>
    public static SenderStrategy[] WithAdaptive { get; } =
        [.. All, ThrottleKitAdaptive(2, "(e) ThrottleKit adaptive, from 2×Q"), ThrottleKitAdaptive(0.25, "(e) ThrottleKit adaptive, from 0.25×Q")];

    /// <summary>The rows (f), for a quota that changes during the run.</summary>
    public static SenderStrategy[] ChangingQuota { get; } =
    [
        SdkAdaptive with { Name = $"(f) SDK Adaptive retry, AWSSDK.Core {SdkCoreVersion}, quota changes" },
        ThrottleKitAdaptive(1, "(f) ThrottleKit adaptive, quota changes"),
    ];

    private static ClientSender ThrottleKit(SesEmulator emulator, GoodputOptions options, double rate, bool adaptive)
    {
        var services = new ServiceCollection();
        services.AddThrottledSes(emulator.Endpoint.ToString(), ses =>
        {
            ses.RateLimit.PermitsPerSecond = rate;
            ses.RateLimit.Burst = (int)options.Burst;
            ses.Adaptive.Enabled = adaptive;
        });
        var provider = services.BuildServiceProvider();
        var state = provider.GetRequiredService<AwsThrottlingState>();
        return new ClientSender(provider.GetRequiredService<IAmazonSecurityTokenService>(), owner: provider, currentRate: () => state.GetBuckets() is [var bucket, ..] ? bucket.PermitsPerSecond : null);
    }

    private static AmazonSecurityTokenServiceConfig Config(SesEmulator emulator, RequestRetryMode mode) => new()
    {
        ServiceURL = emulator.Endpoint.ToString(),
        AuthenticationRegion = "us-east-1",
        IgnoreConfiguredEndpointUrls = true,
        RetryMode = mode,
    };

    private sealed class ClientSender(IAmazonSecurityTokenService client, ResiliencePipeline? pipeline = null, IAsyncDisposable? owner = null, Func<double?>? currentRate = null) : ISender
    {
        public double? CurrentRate => currentRate?.Invoke();

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
