using System;
using System.Linq;
using System.Threading.Tasks;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ThrottleKit.Aws.Tests.Support;
using ThrottleKit.Testing;
using ThrottleKit.TestSupport;

namespace ThrottleKit.Aws.Tests.SdkParity;

/// <summary>
/// A request that provably never reached the service (nothing listening on the port) is sent again as the SDK alone would,
/// within the same attempt budget; one that may have reached it is not (see <c>Server_errors_timeouts_and_dropped_connections_are_never_retried</c>).
/// </summary>
public class UnsentFailureTests
{
    [Fact]
    public async Task A_refused_connection_is_retried_and_the_call_succeeds_once_the_service_listens()
    {
        using var port = new HeldPort();
        var delay = TimeSpan.FromSeconds(7);
        var time = new RetryDelaySignal(delay);
        var options = new SesEmulatorOptions { Port = port.Port };
        var collector = new FakeLogCollector();
        await using var provider = Containers.Build(
            Nothing(port.Port),
            o => o.Services[AwsServiceKeys.SimpleEmail].Backoff = new() { MinDelay = delay, MaxDelay = delay, MaxRetries = 1 },
            services: s => s.AddSingleton<TimeProvider>(time).AddLogging(l => l.SetMinimumLevel(LogLevel.Debug).AddProvider(new FakeLoggerProvider(collector))));
        var client = provider.GetRequiredService<IAmazonSecurityTokenService>();

        var call = client.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        await time.Started.WaitAsync(TimeSpan.FromSeconds(30));
        port.Release();
        await using var emulator = await SesEmulator.StartAsync(options);
        time.Advance(delay);
        var response = await call.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("123456789012", response.Account);
        Assert.Equal(EmulatorOutcome.Accepted, Assert.Single(emulator.Attempts).Outcome);
        var retry = Assert.Single(collector.GetSnapshot(), r => r.Id.Name == "UnsentRetry");
        Assert.Contains("HttpRequestException", retry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_that_never_listens_fails_after_MaxRetries_plus_one_attempts_with_the_transport_error()
    {
        // Held for the whole test: a port merely free when asked was once taken by another test's emulator meanwhile.
        using var port = new HeldPort();
        var collector = new FakeLogCollector();
        await using var provider = Containers.Build(
            Nothing(port.Port),
            o => o.Services[AwsServiceKeys.SimpleEmail].Backoff = new() { MinDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(1), MaxRetries = 2 },
            services: s => s.AddLogging(l => l.SetMinimumLevel(LogLevel.Debug).AddProvider(new FakeLoggerProvider(collector))));
        var client = provider.GetRequiredService<IAmazonSecurityTokenService>();

        var error = await Assert.ThrowsAsync<System.Net.Http.HttpRequestException>(() => client.GetCallerIdentityAsync(new GetCallerIdentityRequest()));

        Assert.Equal(System.Net.Http.HttpRequestError.ConnectionError, error.HttpRequestError);
        Assert.Equal(2, collector.GetSnapshot().Count(r => r.Id.Name == "UnsentRetry"));
    }

    /// <summary>The address an emulator will listen on, with nothing behind it yet.</summary>
    private static Uri Nothing(int port) => new($"http://127.0.0.1:{port}/");
}
