using System;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ThrottleKit.Aws.DependencyInjection;
using ThrottleKit.Internal;

namespace ThrottleKit.Redis.DependencyInjection;

/// <summary>Shares each service's quota among every process through Redis.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in their required connection parameter's type.")]
public static class RedisThrottledAwsClientsBuilderExtensions
{
    /// <summary>
    /// Keeps each throttled service's bucket in Redis (<c>{KeyPrefix}:{SES}</c> …) instead of in the process, so every process
    /// with the same configuration shares one quota. Per-operation buckets stay local. With the adaptive rate on, the rate it
    /// settles on is stored in Redis and shared too. Options (<see cref="RedisRateLimiterOptions"/>) are validated at startup and
    /// can be bound with <c>services.Configure&lt;RedisRateLimiterOptions&gt;(section)</c>.
    /// </summary>
    /// <param name="builder">What <c>AddThrottledAwsClients</c> returned.</param>
    /// <param name="configuration">A StackExchange.Redis configuration string, e.g. <c>localhost:6379</c>; the container connects on first use (without failing if Redis is down) and disposes the connection.</param>
    /// <param name="configure">Changes the options: failure policy, expected instances, clock, key prefix.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static ThrottledAwsClientsBuilder UseRedis(this ThrottledAwsClientsBuilder builder, string configuration, Action<RedisRateLimiterOptions>? configure = null)
    {
        Guard.NotNull(configuration, nameof(configuration));
        return Register(builder, _ => new RedisConnection(() => RedisConnection.Connect(configuration), owned: true), configure);
    }

    /// <summary>
    /// As <see cref="UseRedis(ThrottledAwsClientsBuilder, string, Action{RedisRateLimiterOptions}?)"/>, over a connection the app
    /// already has (not disposed by ThrottleKit). Make it with <c>AbortOnConnectFail = false</c> so it reconnects by itself.
    /// </summary>
    /// <param name="builder">What <c>AddThrottledAwsClients</c> returned.</param>
    /// <param name="connection">Gets the app's connection from the container.</param>
    /// <param name="configure">Changes the options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static ThrottledAwsClientsBuilder UseRedis(this ThrottledAwsClientsBuilder builder, Func<IServiceProvider, IConnectionMultiplexer> connection, Action<RedisRateLimiterOptions>? configure = null)
    {
        Guard.NotNull(connection, nameof(connection));
        return Register(builder, provider => new RedisConnection(() => connection(provider), owned: false), configure);
    }

    private static ThrottledAwsClientsBuilder Register(ThrottledAwsClientsBuilder builder, Func<IServiceProvider, RedisConnection> connection, Action<RedisRateLimiterOptions>? configure)
    {
        Guard.NotNull(builder, nameof(builder));
        var services = builder.Services;
        services.AddOptions<RedisRateLimiterOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisRateLimiterOptions>, RedisRateLimiterOptionsValidator>());
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.RemoveAll<RedisConnection>();
        services.AddSingleton(connection);
        services.RemoveAll<IServiceRateLimiterFactory>();
        services.AddSingleton<IServiceRateLimiterFactory, RedisServiceRateLimiterFactory>();
        return builder;
    }

    private sealed class RedisRateLimiterOptionsValidator : IValidateOptions<RedisRateLimiterOptions>
    {
        public ValidateOptionsResult Validate(string? name, RedisRateLimiterOptions options)
        {
            try
            {
                options.Validate();
                return ValidateOptionsResult.Success;
            }
            catch (ArgumentException error)
            {
                return ValidateOptionsResult.Fail($"ThrottleKit Redis: {error.Message}");
            }
        }
    }
}
