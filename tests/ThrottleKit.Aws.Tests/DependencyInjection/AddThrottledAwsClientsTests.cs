using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.Configuration;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ThrottleKit.Aws.DependencyInjection;
using ThrottleKit.Aws.Tests.Support;
using ThrottleKit.Emulator;
using ThrottleKit.Execution;
using TokenBucketRateLimiter = ThrottleKit.RateLimiting.TokenBucketRateLimiter;

namespace ThrottleKit.Aws.Tests.DependencyInjection;

public class AddThrottledAwsClientsTests
{
    [Fact]
    public async Task Each_service_has_a_keyed_executor_that_shares_the_clients_limiter()
    {
        await using var emulator = await AwsThrottlingEmulator.StartAsync(new EmulatorOptions { RatePerSecond = 1000, Burst = 1000 });
        await using var provider = Build(emulator, time: new FakeTimeProvider());
        var executor = (ThrottledExecutor)provider.GetRequiredKeyedService<IThrottledExecutor>(AwsServiceKeys.SimpleEmail);

        await provider.GetRequiredService<IAmazonSecurityTokenService>().GetCallerIdentityAsync(new GetCallerIdentityRequest());
        await executor.ExecuteAsync(_ => Task.CompletedTask, cost: 3);

        var limiter = Assert.IsType<TokenBucketRateLimiter>(executor.RateLimiter);
        Assert.Equal(2, limiter.GetStatistics()!.TotalSuccessfulLeases);
        // 14, less the 4 taken by the client and the executor together, less the 25 ms jitter allowance (a third of a
        // permit at 14/s), rounded down: the container's clock stood still.
        Assert.Equal(14 - 4 - 1, limiter.GetStatistics()!.CurrentAvailablePermits);
        Assert.NotSame(executor, provider.GetRequiredKeyedService<IThrottledExecutor>(AwsServiceKeys.ConnectCampaigns));
    }

    [Fact]
    public async Task Defaults_are_14_per_second_for_SES_and_5_for_Connect_Campaigns_with_10_ms_to_5_s_and_10_retries()
    {
        await using var provider = new ServiceCollection().AddThrottledAwsClients().Services.BuildServiceProvider();

        var ses = (ThrottledExecutor)provider.GetRequiredKeyedService<IThrottledExecutor>(AwsServiceKeys.SimpleEmail);
        var connect = (ThrottledExecutor)provider.GetRequiredKeyedService<IThrottledExecutor>(AwsServiceKeys.ConnectCampaigns);

        Assert.Equal(14, ((TokenBucketRateLimiter)ses.RateLimiter).PermitsPerSecond);
        Assert.Equal(5, ((TokenBucketRateLimiter)connect.RateLimiter).PermitsPerSecond);
        Assert.Equal(TimeSpan.FromMilliseconds(10), ses.Backoff.MinDelay);
        Assert.Equal(TimeSpan.FromSeconds(5), ses.Backoff.MaxDelay);
        Assert.Equal(10, ses.Backoff.MaxRetries);
        Assert.Equal(TimeSpan.FromMilliseconds(25), ((TokenBucketRateLimiter)ses.RateLimiter).JitterAllowance);
    }

    [Fact]
    public async Task An_unknown_service_key_says_which_ones_exist()
    {
        await using var provider = new ServiceCollection().AddThrottledAwsClients().Services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredKeyedService<IThrottledExecutor>("DynamoDB"));

        Assert.Contains("DynamoDB", error.Message);
        Assert.Contains("ConnectCampaigns, SES", error.Message);
    }

    [Fact]
    public async Task Options_bind_from_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ThrottleKit:Services:SES:RateLimit:PermitsPerSecond"] = "50",
            ["ThrottleKit:Services:SES:RateLimit:Burst"] = "25",
            ["ThrottleKit:Services:SES:Backoff:MaxRetries"] = "4",
            ["ThrottleKit:Services:SES:Backoff:MinDelay"] = "00:00:00.050",
            ["ThrottleKit:Services:SES:Operations:GetSendQuota:PermitsPerSecond"] = "1",
            ["ThrottleKit:Services:ConnectCampaigns:ServiceIds:2"] = "SSM",
        }).Build();

        await using var provider = new ServiceCollection().AddThrottledAwsClients(configuration.GetSection("ThrottleKit")).Services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<AwsThrottlingOptions>>().Value;
        var ses = (ThrottledExecutor)provider.GetRequiredKeyedService<IThrottledExecutor>(AwsServiceKeys.SimpleEmail);

        Assert.Equal(50, ((TokenBucketRateLimiter)ses.RateLimiter).PermitsPerSecond);
        Assert.Equal(25, ((TokenBucketRateLimiter)ses.RateLimiter).Burst);
        Assert.Equal(4, ses.Backoff.MaxRetries);
        Assert.Equal(TimeSpan.FromMilliseconds(50), ses.Backoff.MinDelay);
        Assert.Equal(1, options.Services["SES"].Operations["GetSendQuota"].PermitsPerSecond);
        Assert.Contains("SSM", options.Services["ConnectCampaigns"].ServiceIds);
    }

    [Fact]
    public void Invalid_options_fail_at_startup_naming_the_setting_and_its_value()
    {
        var services = new ServiceCollection();
        services.AddThrottledAwsClients(o =>
        {
            o.Services["SES"].RateLimit.PermitsPerSecond = -3;
            o.Services["ConnectCampaigns"].Backoff.MaxRetries = -1;
            o.Services["Custom"] = new AwsServiceThrottlingOptions { RateLimit = { PermitsPerSecond = 1 } };
        });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(error.Failures, f => f.Contains("Services:SES:RateLimit", StringComparison.Ordinal) && f.Contains("PermitsPerSecond", StringComparison.Ordinal) && f.Contains("-3", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Services:ConnectCampaigns:Backoff", StringComparison.Ordinal) && f.Contains("MaxRetries", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Services:Custom: rules must be set", StringComparison.Ordinal));
    }

    [Fact]
    public void A_service_id_mapped_to_two_services_is_rejected()
    {
        var services = new ServiceCollection();
        services.AddThrottledAwsClients(o => o.MapServiceId("STS", AwsServiceKeys.SimpleEmail).MapServiceId("STS", AwsServiceKeys.ConnectCampaigns));
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(error.Failures, f => f.Contains("'STS' is already mapped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_containers_keep_independent_limiters_and_disposing_one_leaves_the_other_working()
    {
        await using var emulator = await AwsThrottlingEmulator.StartAsync(new EmulatorOptions { RatePerSecond = 1000, Burst = 1000 });
        var first = Build(emulator, o => o.Services[AwsServiceKeys.SimpleEmail].RateLimit = new() { PermitsPerSecond = 0.01, Burst = 1 });
        await using var second = Build(emulator, o => o.Services[AwsServiceKeys.SimpleEmail].RateLimit = new() { PermitsPerSecond = 0.01, Burst = 1 });
        var firstClient = first.GetRequiredService<IAmazonSecurityTokenService>();
        var secondClient = second.GetRequiredService<IAmazonSecurityTokenService>();

        // Each container's single permit is its own: both first calls go straight through.
        await firstClient.GetCallerIdentityAsync(new GetCallerIdentityRequest()).WaitAsync(TimeSpan.FromSeconds(5));
        await secondClient.GetCallerIdentityAsync(new GetCallerIdentityRequest()).WaitAsync(TimeSpan.FromSeconds(5));

        await first.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => firstClient.GetCallerIdentityAsync(new GetCallerIdentityRequest()));

        var secondExecutor = (ThrottledExecutor)second.GetRequiredKeyedService<IThrottledExecutor>(AwsServiceKeys.SimpleEmail);
        Assert.Equal(1, secondExecutor.RateLimiter.GetStatistics()!.TotalSuccessfulLeases);
        Assert.Equal(0, secondExecutor.RateLimiter.GetStatistics()!.CurrentAvailablePermits);
        Assert.Equal(2, emulator.Attempts.Count);
    }

    [Fact]
    public async Task Adding_ThrottleKit_twice_does_not_wrap_twice()
    {
        await using var emulator = await AwsThrottlingEmulator.StartAsync(new EmulatorOptions { Burst = 0 });
        var services = new ServiceCollection();
        services.AddDefaultAWSOptions(Clients.AwsOptions(emulator));
        services.AddAWSService<IAmazonSecurityTokenService>();
        services.AddThrottledAwsClients(o => o.MapServiceId("STS", AwsServiceKeys.SimpleEmail));
        var wrapped = services.Single(d => d.ServiceType == typeof(IAmazonSecurityTokenService));
        services.AddThrottledAwsClients(o =>
        {
            o.Services[AwsServiceKeys.SimpleEmail].Backoff.MaxRetries = 2;
            o.Services[AwsServiceKeys.SimpleEmail].Backoff.MaxDelay = TimeSpan.FromMilliseconds(20);
        });
        await using var provider = services.BuildServiceProvider();

        await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(
            () => provider.GetRequiredService<IAmazonSecurityTokenService>().GetCallerIdentityAsync(new GetCallerIdentityRequest()));

        Assert.Equal(3, emulator.Attempts.Count);
        Assert.Same(wrapped, services.Single(d => d.ServiceType == typeof(IAmazonSecurityTokenService)));
    }

    [Fact]
    public void A_client_registered_as_a_built_instance_is_refused_with_advice()
    {
        var services = new ServiceCollection();
        using var client = new AmazonSecurityTokenServiceClient(Clients.Credentials, new AmazonSecurityTokenServiceConfig { ServiceURL = "http://127.0.0.1:9" });
        services.AddSingleton<IAmazonSecurityTokenService>(client);

        var error = Assert.Throws<InvalidOperationException>(() => services.AddThrottledAwsClients());

        Assert.Contains("IAmazonSecurityTokenService", error.Message);
        Assert.Contains("factory", error.Message);
    }

    [Fact]
    public async Task Throttles_of_wrapped_clients_reach_the_containers_meter_and_logger_tagged_by_service()
    {
        await using var emulator = await AwsThrottlingEmulator.StartAsync(new EmulatorOptions { Burst = 0 });
        var logs = new FakeLogCollector();
        var services = new ServiceCollection().AddMetrics().AddLogging(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new FakeLoggerProvider(logs)));
        services.AddDefaultAWSOptions(Clients.AwsOptions(emulator));
        services.AddAWSService<IAmazonSecurityTokenService>();
        services.AddThrottledAwsClients(o =>
        {
            o.MapServiceId("STS", AwsServiceKeys.SimpleEmail);
            o.Services[AwsServiceKeys.SimpleEmail].Backoff = new() { MaxRetries = 1, MinDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(1) };
        });
        await using var provider = services.BuildServiceProvider();
        using var throttles = new MetricCollector<long>(provider.GetRequiredService<IMeterFactory>(), "ThrottleKit", "throttlekit.throttles");
        using var rates = new MetricCollector<double>(provider.GetRequiredService<IMeterFactory>(), "ThrottleKit", "throttlekit.rate_limit.rate");

        await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(
            () => provider.GetRequiredService<IAmazonSecurityTokenService>().GetCallerIdentityAsync(new GetCallerIdentityRequest()));
        rates.RecordObservableInstruments();

        Assert.Equal(2, throttles.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.All(throttles.GetMeasurementSnapshot(), m => Assert.Equal("SES", m.Tags["throttlekit.service"]));
        Assert.Contains(rates.GetMeasurementSnapshot(), m => m.Value == 14 && Equals(m.Tags["throttlekit.service"], "SES"));
        Assert.Equal([1001, 1002, 1001, 1003], logs.GetSnapshot().Where(r => r.Category == "ThrottleKit").Select(r => r.Id.Id));
    }

    [Fact]
    public async Task An_operation_with_a_bucket_of_its_own_reports_its_rate_apart_from_the_service()
    {
        var services = new ServiceCollection().AddMetrics();
        services.AddThrottledAwsClients(o => o.Services[AwsServiceKeys.SimpleEmail].Operations["GetSendQuota"] = new() { PermitsPerSecond = 1 });
        await using var provider = services.BuildServiceProvider();
        using var rates = new MetricCollector<double>(provider.GetRequiredService<IMeterFactory>(), "ThrottleKit", "throttlekit.rate_limit.rate");
        provider.GetRequiredKeyedService<IThrottledExecutor>(AwsServiceKeys.SimpleEmail);

        rates.RecordObservableInstruments();

        Assert.Contains(rates.GetMeasurementSnapshot(), m => m.Value == 14 && Equals(m.Tags["throttlekit.service"], "SES"));
        Assert.Contains(rates.GetMeasurementSnapshot(), m => m.Value == 1 && Equals(m.Tags["throttlekit.service"], "SES:GetSendQuota"));
        Assert.DoesNotContain(rates.GetMeasurementSnapshot(), m => m.Value == 1 && Equals(m.Tags["throttlekit.service"], "SES"));
    }

    [Fact]
    public void Null_arguments_are_rejected_by_name()
    {
        Assert.Equal("services", Assert.Throws<ArgumentNullException>(() => ((IServiceCollection)null!).AddThrottledAwsClients()).ParamName);
        Assert.Equal("configuration", Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddThrottledAwsClients((IConfiguration)null!)).ParamName);
    }

    private static ServiceProvider Build(AwsThrottlingEmulator emulator, Action<AwsThrottlingOptions>? configure = null, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddDefaultAWSOptions(Clients.AwsOptions(emulator));
        services.AddAWSService<IAmazonSecurityTokenService>();
        services.AddThrottledAwsClients(options =>
        {
            options.MapServiceId("STS", AwsServiceKeys.SimpleEmail);
            options.Services[AwsServiceKeys.SimpleEmail].UseRules(AwsThrottlingRules.SimpleEmail.AlsoSpendingServiceRate("GetCallerIdentity"));
            configure?.Invoke(options);
        });
        return services.BuildServiceProvider(validateScopes: true);
    }
}
