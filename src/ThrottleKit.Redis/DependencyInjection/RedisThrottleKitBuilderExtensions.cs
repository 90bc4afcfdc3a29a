using System;
using System.Linq;
using System.Threading.Tasks;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ThrottleKit;
using ThrottleKit.Internal;
using ThrottleKit.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Shares every ThrottleKit bucket of a container among all processes through Redis.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in their required connection parameter's type.")]
public static class RedisThrottleKitBuilderExtensions
{
    /// <summary>
    /// Keeps each of the container's ThrottleKit buckets in Redis (<c>{KeyPrefix}:{SES:us-east-1:…}</c>) instead of in the
    /// process, so every process with the same configuration shares one quota per bucket. With the adaptive rate on, the rate
    /// it settles on is stored in Redis and shared too. Options (<see cref="RedisRateLimiterOptions"/>) are validated at start,
    /// every failing setting named, and can be bound with <c>services.Configure&lt;RedisRateLimiterOptions&gt;(section)</c>.
    /// </summary>
    /// <param name="builder">What <c>AddThrottledAwsClients</c> or <c>AddThrottleKit</c> returned.</param>
    /// <param name="configuration">A StackExchange.Redis configuration string, e.g. <c>localhost:6379</c>; the container connects on first use (without failing if Redis is down) and disposes the connection.</param>
    /// <param name="configure">Changes the options: failure policy, expected instances, clock, key prefix.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static TBuilder UseRedis<TBuilder>(this TBuilder builder, string configuration, Action<RedisRateLimiterOptions>? configure = null)
        where TBuilder : class, IThrottleKitBuilder
    {
        Guard.NotNull(configuration);
        return Register(builder, (_, options, logger, metrics) => new RedisConnection(() => RedisConnection.ConnectAsync(configuration), owned: true, options, logger, metrics), configure);
    }

    /// <summary>
    /// As <see cref="UseRedis{TBuilder}(TBuilder, string, Action{RedisRateLimiterOptions}?)"/>, over a connection the app already
    /// has (not disposed by ThrottleKit). Make it with <c>AbortOnConnectFail = false</c> so it reconnects by itself.
    /// </summary>
    /// <param name="builder">What <c>AddThrottledAwsClients</c> or <c>AddThrottleKit</c> returned.</param>
    /// <param name="connection">Gets the app's connection from the container.</param>
    /// <param name="configure">Changes the options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static TBuilder UseRedis<TBuilder>(this TBuilder builder, Func<IServiceProvider, IConnectionMultiplexer> connection, Action<RedisRateLimiterOptions>? configure = null)
        where TBuilder : class, IThrottleKitBuilder
    {
        Guard.NotNull(connection);
        return Register(builder, (provider, options, logger, metrics) => new RedisConnection(() => Task.FromResult(connection(provider)), owned: false, options, logger, metrics), configure);
    }

    private static TBuilder Register<TBuilder>(
        TBuilder builder,
        Func<IServiceProvider, RedisRateLimiterOptions, ILogger?, RedisMetrics?, RedisConnection> connection,
        Action<RedisRateLimiterOptions>? configure)
        where TBuilder : class, IThrottleKitBuilder
    {
        Guard.NotNull(builder);
        var services = builder.Services;
        services.AddOptions<RedisRateLimiterOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisRateLimiterOptions>, RedisRateLimiterOptionsValidator>());
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.RemoveAll<RedisConnection>();
        services.AddSingleton(provider => connection(
            provider,
            provider.GetRequiredService<IOptions<RedisRateLimiterOptions>>().Value,
            provider.GetService<ILoggerFactory>()?.CreateLogger("ThrottleKit"),
            provider.GetService<IMeterFactory>() is { } meters ? new RedisMetrics(meters) : null));
        services.TryAddSingleton(provider => new ThrottleKitRedisHealthCheck(provider.GetRequiredService<RedisConnection>()));

        // At start (a host's ValidateOnStart) the connection is made: Redis down or hung is an outage the failure policy rides
        // out, but credentials it refuses are a mistake, and fail the start instead of quietly failing open.
        services.AddOptions<RedisStartupCheck>()
            .Configure<RedisConnection>(static (_, connection) => RedisStartupCheck.Connect(connection))
            .ValidateOnStart();
        services.Replace(ServiceDescriptor.Singleton<IRateLimiterStore, RedisRateLimiterStore>());
        return builder;
    }

    private sealed class RedisStartupCheck
    {
        /// <summary>How long a start waits for the connection: long enough for Redis to answer or refuse, short enough that a Redis that hangs does not hold the start up.</summary>
        private static readonly TimeSpan StartWait = TimeSpan.FromSeconds(5);

        public static void Connect(RedisConnection connection)
        {
            try
            {
                // The connection is made in the background (never on the permit path); a start only looks at how it went.
                connection.Ready.Wait(StartWait);
            }
            catch (AggregateException failed) when (failed.InnerException is RedisConnectionException refused && RedisCircuit.IsRefusal(refused))
            {
                throw new OptionsValidationException(
                    "Redis",
                    typeof(RedisRateLimiterOptions),
                    [$"Redis refused ThrottleKit's connection ({refused.FailureType}): {refused.Message} Check the password or user in the Redis configuration string."]);
            }
            catch (AggregateException)
            {
                // Down or unreachable at start: an outage like any other, which the failure policy rides out.
            }
        }
    }

    private sealed class RedisRateLimiterOptionsValidator : IValidateOptions<RedisRateLimiterOptions>
    {
        public ValidateOptionsResult Validate(string? name, RedisRateLimiterOptions options)
        {
            var failures = OptionsValidation.Collect(options, "Redis");
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures.Select(f => f.ToString()));
        }
    }
}
