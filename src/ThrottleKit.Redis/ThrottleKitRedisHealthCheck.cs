using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ThrottleKit.Redis;

/// <summary>
/// Reports whether the container's shared buckets are in Redis: healthy while Redis answers; degraded while it cannot be
/// reached and the limiters fail open (calls go on at the local fallback rate); unhealthy while they fail closed (calls are
/// refused). Registered by <c>UseRedis</c>; add it with <c>services.AddHealthChecks().AddCheck&lt;ThrottleKitRedisHealthCheck&gt;("throttlekit-redis")</c>.
/// </summary>
public sealed class ThrottleKitRedisHealthCheck : IHealthCheck
{
    private readonly RedisConnection _connection;

    internal ThrottleKitRedisHealthCheck(RedisConnection connection) => _connection = connection;

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var circuit = _connection.Circuit;
        var (answered, unanswered) = circuit.Probes;
        var data = new Dictionary<string, object>
        {
            ["fallbackSeconds"] = circuit.FallbackTime.TotalSeconds,
            ["probesAnswered"] = answered,
            ["probesUnanswered"] = unanswered,
            ["failurePolicy"] = circuit.Policy.ToString(),
        };
        if (circuit.Refused is not null)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("Redis refused ThrottleKit's credentials; calls are refused until they are fixed.", data: data));
        }

        return Task.FromResult(!circuit.IsOpen
            ? HealthCheckResult.Healthy("Redis answers; the buckets are shared.", data)
            : circuit.Policy == RedisFailurePolicy.FailOpen
                ? HealthCheckResult.Degraded("Redis cannot be reached; calls go on at the local fallback rate until it answers.", data: data)
                : HealthCheckResult.Unhealthy("Redis cannot be reached; calls are refused (FailClosed) until it answers.", data: data));
    }
}
