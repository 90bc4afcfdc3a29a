using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading.Tasks;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Amazon.SimpleSystemsManagement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ThrottleKit.Aws.Tests.Support;
using ThrottleKit.Testing;

namespace ThrottleKit.Aws.Tests.DependencyInjection;

public class AddThrottledAwsClientsTests
{
    [Fact]
    public async Task Clients_spend_a_bucket_per_account_and_Region_and_the_keyed_executor_with_no_Region_configured_a_bucket_of_its_own()
    {
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { RatePerSecond = 1000, Burst = 1000 });
        await using var provider = Build(emulator, o => o.Services[AwsServiceKeys.SimpleEmail].RateLimit.StartEmpty = false, time: new FakeTimeProvider());
        var executor = provider.GetRequiredKeyedService<IThrottledExecutor>(AwsServiceKeys.SimpleEmail);

        await provider.GetRequiredService<IAmazonSecurityTokenService>().GetCallerIdentityAsync(new GetCallerIdentityRequest());
        await executor.ExecuteAsync(_ => Task.CompletedTask, cost: 3);

        // 14, less what each took, less the 25 ms jitter allowance (a third of a permit at 14/s), rounded down: the
        // container's clock stood still.
        var buckets = provider.GetRequiredService<AwsThrottlingState>().GetBuckets();
        Assert.Equal(2, buckets.Count);
        var client = Assert.Single(buckets, b => b.Region == "us-east-1");
        Assert.Equal(("SES", null, 14.0, 14L - 1 - 1), (client.ServiceKey, client.Operation, client.PermitsPerSecond, client.AvailablePermits));
        Assert.Equal("*", client.Account); // plain keys name no account, and none is configured: the Region's one bucket
        var keyed = Assert.Single(buckets, b => b.Region == "*");
        Assert.Equal(("*", 14L - 3 - 1), (keyed.Account, keyed.AvailablePermits));
        Assert.NotSame(executor, provider.GetRequiredKeyedService<IThrottledExecutor>(AwsServiceKeys.ConnectCampaigns));
    }

    [Fact]
    public async Task A_fresh_bucket_starts_empty_but_for_one_permit_and_fills_at_the_rate()
    {
        // A process that has just started cannot know what the quota's other users spent a moment ago, and its first,
        // cold requests reach the service bunched: at 14/s it sends one at once and the next about 1/14 s later.
        var time = new FakeTimeProvider();
        await using var provider = new ServiceCollection().AddSingleton<TimeProvider>(time).AddThrottledAwsClients().Services.BuildServiceProvider();
        var executor = provider.GetRequiredKeyedService<IThrottledExecutor>(AwsServiceKeys.SimpleEmail);

        await executor.ExecuteAsync(_ => Task.CompletedTask);
        var second = executor.ExecuteAsync(_ => Task.CompletedTask);
        time.Advance(TimeSpan.FromMilliseconds(40));
        Assert.False(second.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(40));
        await second.WaitAsync(TimeSpan.FromSeconds(10));

        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(13, Assert.Single(provider.GetRequiredService<AwsThrottlingState>().GetBuckets()).AvailablePermits);
    }

    [Fact]
    public async Task Defaults_are_14_per_second_for_SES_and_5_for_Connect_Campaigns_with_10_ms_to_5_s_and_10_retries()
    {
        await using var provider = new ServiceCollection().AddThrottledAwsClients().Services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<AwsThrottlingOptions>>().Value;

        await provider.GetRequiredKeyedService<IThrottledExecutor>(AwsServiceKeys.SimpleEmail).ExecuteAsync(_ => Task.CompletedTask);
        await provider.GetRequiredKeyedService<IThrottledExecutor>(AwsServiceKeys.ConnectCampaigns).ExecuteAsync(_ => Task.CompletedTask);

        var buckets = provider.GetRequiredService<AwsThrottlingState>().GetBuckets();
        Assert.Equal(14, buckets.Single(b => b.ServiceKey == "SES").PermitsPerSecond);
        Assert.Equal(5, buckets.Single(b => b.ServiceKey == "ConnectCampaigns").PermitsPerSecond);
        var ses = options.Services[AwsServiceKeys.SimpleEmail];
        Assert.Equal((10, 5000, 10), (ses.Backoff.MinDelay.TotalMilliseconds, ses.Backoff.MaxDelay.TotalMilliseconds, ses.Backoff.MaxRetries));
        Assert.Equal(TimeSpan.FromMilliseconds(25), ses.RateLimit.JitterAllowance);
        Assert.Equal(50, ses.MaxCost);
        Assert.Equal(["SES", "SESv2"], ses.ServiceIds);
        Assert.Equal(["ConnectCampaigns"], options.Services[AwsServiceKeys.ConnectCampaigns].ServiceIds);
        Assert.Equal(["ConnectCampaignsV2"], options.Services[AwsServiceKeys.ConnectCampaignsV2].ServiceIds);
        Assert.Equal(5, options.Services[AwsServiceKeys.ConnectCampaignsV2].RateLimit.PermitsPerSecond);
    }

    [Fact]
    public void Every_bucket_has_the_same_defaults_a_Region_or_an_operation_as_much_as_the_service()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ThrottleKit:Services:SES:Operations:GetSendQuota:PermitsPerSecond"] = "1",
            ["ThrottleKit:Services:SES:Regions:eu-west-1:PermitsPerSecond"] = "40",
        }).Build();
        using var provider = new ServiceCollection().AddThrottledAwsClients(configuration.GetSection("ThrottleKit")).Services.BuildServiceProvider();

        var ses = provider.GetRequiredService<IOptions<AwsThrottlingOptions>>().Value.Services["SES"];

        GcraRateLimiterOptions[] buckets = [ses.RateLimit, ses.Operations["GetSendQuota"], ses.Regions["eu-west-1"]];
        Assert.All(buckets, b => Assert.Equal((TimeSpan.FromMilliseconds(25), true), (b.JitterAllowance, b.AllowBorrowing)));
    }

    [Fact]
    public async Task An_unknown_service_key_says_which_ones_exist()
    {
        await using var provider = new ServiceCollection().AddThrottledAwsClients().Services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredKeyedService<IThrottledExecutor>("DynamoDB"));

        Assert.Contains("DynamoDB", error.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectCampaigns, ConnectCampaignsV2, SES", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_bind_from_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ThrottleKit:Services:SES:RateLimit:PermitsPerSecond"] = "50",
            ["ThrottleKit:Services:SES:RateLimit:Burst"] = "25",
            ["ThrottleKit:Services:SES:RateLimit:StartEmpty"] = "false",
            ["ThrottleKit:Services:SES:Backoff:MaxRetries"] = "4",
            ["ThrottleKit:Services:SES:Backoff:MinDelay"] = "00:00:00.050",
            ["ThrottleKit:Services:SES:Operations:GetSendQuota:PermitsPerSecond"] = "1",
            ["ThrottleKit:Services:ConnectCampaigns:ServiceIds:2"] = "SSM",
        }).Build();

        await using var provider = new ServiceCollection().AddThrottledAwsClients(configuration.GetSection("ThrottleKit")).Services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<AwsThrottlingOptions>>().Value;
        await provider.GetRequiredKeyedService<IThrottledExecutor>(AwsServiceKeys.SimpleEmail).ExecuteAsync(_ => Task.CompletedTask);

        // 25, less the one taken, less 25 ms of jitter allowance at 50/s (1.25 permits), rounded down.
        var bucket = Assert.Single(provider.GetRequiredService<AwsThrottlingState>().GetBuckets());
        Assert.Equal(50.0, bucket.PermitsPerSecond);
        Assert.InRange(bucket.AvailablePermits!.Value, 22, 23);
        var ses = options.Services["SES"];
        Assert.Equal((4, 50), (ses.Backoff.MaxRetries, ses.Backoff.MinDelay.TotalMilliseconds));
        Assert.Equal(1, ses.Operations["GetSendQuota"].PermitsPerSecond);
        Assert.Contains("SSM", options.Services["ConnectCampaigns"].ServiceIds);
    }

    [Fact]
    public void A_key_under_the_section_that_names_no_setting_fails_at_start_naming_it()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ThrottleKit:Services:SES:RateLimit:PermitPerSecond"] = "50",
        }).Build();
        using var provider = new ServiceCollection().AddThrottledAwsClients(configuration.GetSection("ThrottleKit")).Services.BuildServiceProvider();

        var error = Assert.ThrowsAny<InvalidOperationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("'PermitPerSecond'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_options_fail_at_start_with_every_setting_and_its_value_in_one_exception()
    {
        var services = new ServiceCollection();
        services.AddThrottledAwsClients(o =>
        {
            o.Services["SES"].RateLimit.PermitsPerSecond = 1e-320;
            o.Services["SES"].MaxCost = 51;
            o.Services["ConnectCampaigns"].Backoff.MaxRetries = -1;
            o.Services["Custom"] = new AwsServiceThrottlingOptions { RateLimit = { PermitsPerSecond = 1 } };
            o.Services["Bad{Key}"] = new AwsServiceThrottlingOptions { RateLimit = { PermitsPerSecond = 1 } };
            o.Services["SESv2"] = new AwsServiceThrottlingOptions { RateLimit = { PermitsPerSecond = 1 } };
        });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Services:SES:RateLimit:PermitsPerSecond: PermitsPerSecond must be between 1E-06 and 1000000000 permits per second; it is 1E-320.", error.Failures);
        Assert.Contains("Services:SES:MaxCost: Amazon SES accepts at most 50 recipients a message; it is 51.", error.Failures);
        Assert.Contains("Services:ConnectCampaigns:Backoff:MaxRetries: MaxRetries must be between 0 and 100; it is -1.", error.Failures);
        Assert.Contains(error.Failures, f => f.StartsWith("Services:Custom: ThrottleKit has no rules", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Services:Bad{Key}: a service key must be", StringComparison.Ordinal));

        // SES v2 clients are SES's: a user who keys them apart is sent there, not to writing rules.
        Assert.Contains(error.Failures, f => f.StartsWith("Services:SESv2: 'SESv2' is the SDK service id of clients the service 'SES' already covers; configure them under Services:SES", StringComparison.Ordinal));
    }

    [Fact]
    public void The_whole_configuration_passed_instead_of_its_section_is_refused_with_the_section_to_bind()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ThrottleKit:Services:SES:RateLimit:PermitsPerSecond"] = "14",
                ["PATH"] = "/usr/bin",
                ["HOME"] = "/root",
            })
            .Build();

        var error = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddThrottledAwsClients(configuration));

        Assert.Equal("configuration", error.ParamName);
        Assert.Contains("AddThrottledAwsClients(configuration.GetSection(\"ThrottleKit\"))", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("PATH", error.Message, StringComparison.Ordinal);

        // The section itself binds.
        using var provider = new ServiceCollection().AddThrottledAwsClients(configuration.GetSection("ThrottleKit")).Services.BuildServiceProvider();
        Assert.Equal(14, provider.GetRequiredService<IOptions<AwsThrottlingOptions>>().Value.Services["SES"].RateLimit.PermitsPerSecond);
    }

    [Fact]
    public void A_service_id_mapped_to_two_services_is_rejected()
    {
        var services = new ServiceCollection();
        services.AddThrottledAwsClients().MapServiceId("STS", AwsServiceKeys.SimpleEmail).MapServiceId("STS", AwsServiceKeys.ConnectCampaigns);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(error.Failures, f => f.Contains("'STS' is already mapped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_containers_keep_independent_buckets_and_disposing_one_leaves_the_other_working()
    {
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { RatePerSecond = 1000, Burst = 1000 });
        var first = Build(emulator, o => o.Services[AwsServiceKeys.SimpleEmail].RateLimit = new() { PermitsPerSecond = 0.01, Burst = 1 });
        await using var second = Build(emulator, o => o.Services[AwsServiceKeys.SimpleEmail].RateLimit = new() { PermitsPerSecond = 0.01, Burst = 1 });
        var firstClient = first.GetRequiredService<IAmazonSecurityTokenService>();
        var secondClient = second.GetRequiredService<IAmazonSecurityTokenService>();

        // Each container's single permit is its own: both first calls go straight through.
        await firstClient.GetCallerIdentityAsync(new GetCallerIdentityRequest()).WaitAsync(TimeSpan.FromSeconds(5));
        await secondClient.GetCallerIdentityAsync(new GetCallerIdentityRequest()).WaitAsync(TimeSpan.FromSeconds(5));

        await first.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => firstClient.GetCallerIdentityAsync(new GetCallerIdentityRequest()));

        var bucket = Assert.Single(second.GetRequiredService<AwsThrottlingState>().GetBuckets());
        Assert.Equal(0, bucket.AvailablePermits);
        Assert.Equal(2, emulator.Attempts.Count);
    }

    [Fact]
    public async Task Adding_ThrottleKit_twice_does_not_wrap_twice()
    {
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { Burst = 0 });
        var services = new ServiceCollection();
        services.AddDefaultAWSOptions(Clients.AwsOptions(emulator));
        services.AddAWSService<IAmazonSecurityTokenService>();
        services.AddThrottledAwsClients().MapServiceId("STS", AwsServiceKeys.SimpleEmail);
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
    public async Task Registering_ThrottleKit_before_the_client_fails_at_start_saying_what_to_move()
    {
        await using var emulator = await SesEmulator.StartAsync();
        var services = new ServiceCollection();
        services.AddDefaultAWSOptions(Clients.AwsOptions(emulator));
        services.AddThrottledAwsClients().MapServiceId("STS", AwsServiceKeys.SimpleEmail);
        services.AddAWSService<IAmazonSecurityTokenService>();
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        var failure = Assert.Single(error.Failures);
        Assert.Contains("IAmazonSecurityTokenService client (service id 'STS') was registered after AddThrottledAwsClients()", failure, StringComparison.Ordinal);
        Assert.Contains("Call AddThrottledAwsClients() after registering the AWS clients", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registering_ThrottleKit_after_the_client_throttles_it()
    {
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { Burst = 0 });
        var services = new ServiceCollection();
        services.AddDefaultAWSOptions(Clients.AwsOptions(emulator));
        services.AddAWSService<IAmazonSecurityTokenService>();
        services.AddThrottledAwsClients(o => o.Services[AwsServiceKeys.SimpleEmail].Backoff = new() { MaxRetries = 1, MinDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero })
            .MapServiceId("STS", AwsServiceKeys.SimpleEmail);
        await using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(
            () => provider.GetRequiredService<IAmazonSecurityTokenService>().GetCallerIdentityAsync(new GetCallerIdentityRequest()));

        Assert.Equal(2, emulator.Attempts.Count);
    }

    [Fact]
    public async Task A_client_of_a_service_ThrottleKit_is_not_configured_for_passes_through_untouched_in_any_order()
    {
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { Burst = 0 });
        var services = new ServiceCollection();
        services.AddThrottledAwsClients();
        using var prebuilt = Clients.Ssm(emulator, maxErrorRetry: 1);
        services.AddSingleton<IAmazonSimpleSystemsManagement>(prebuilt);
        services.AddDefaultAWSOptions(Clients.AwsOptions(emulator));
        services.AddAWSService<IAmazonSecurityTokenService>();
        await using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        await Assert.ThrowsAsync<AmazonSimpleSystemsManagementException>(
            () => provider.GetRequiredService<IAmazonSimpleSystemsManagement>().GetParameterAsync(new() { Name = "p" }));

        // The SDK's own retry, MaxErrorRetry = 1: two attempts.
        Assert.Equal(2, emulator.Attempts.Count);
    }

    [Fact]
    public void A_built_instance_of_a_configured_service_fails_at_start_with_advice()
    {
        var services = new ServiceCollection();
        using var client = new AmazonSecurityTokenServiceClient(Clients.Credentials, new AmazonSecurityTokenServiceConfig { ServiceURL = "http://127.0.0.1:9" });
        services.AddSingleton<IAmazonSecurityTokenService>(client);
        services.AddThrottledAwsClients().MapServiceId("STS", AwsServiceKeys.SimpleEmail);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        var failure = Assert.Single(error.Failures);
        Assert.Contains("IAmazonSecurityTokenService", failure, StringComparison.Ordinal);
        Assert.Contains("factory", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Throttles_of_wrapped_clients_reach_the_containers_meter_and_logger_tagged_by_service_and_Region()
    {
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { Burst = 0 });
        var logs = new FakeLogCollector();
        var services = new ServiceCollection().AddMetrics().AddLogging(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new FakeLoggerProvider(logs)));
        services.AddDefaultAWSOptions(Clients.AwsOptions(emulator));
        services.AddAWSService<IAmazonSecurityTokenService>();
        services.AddThrottledAwsClients(o => o.Services[AwsServiceKeys.SimpleEmail].Backoff = new() { MaxRetries = 1, MinDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(1) })
            .MapServiceId("STS", AwsServiceKeys.SimpleEmail);
        await using var provider = services.BuildServiceProvider();
        using var throttles = new MetricCollector<long>(provider.GetRequiredService<IMeterFactory>(), "ThrottleKit", "throttlekit.throttles");
        using var rates = new MetricCollector<double>(provider.GetRequiredService<IMeterFactory>(), "ThrottleKit", "throttlekit.rate_limit.rate");

        await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(
            () => provider.GetRequiredService<IAmazonSecurityTokenService>().GetCallerIdentityAsync(new GetCallerIdentityRequest()));
        rates.RecordObservableInstruments();

        Assert.Equal(2, throttles.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.All(throttles.GetMeasurementSnapshot(), m => Assert.Equal(("SES", "us-east-1", "SES"), (m.Tags["throttlekit.service"], m.Tags["cloud.region"], m.Tags["aws.service"])));
        Assert.Contains(rates.GetMeasurementSnapshot(), m => m.Value == 14 && Equals(m.Tags["throttlekit.service"], "SES"));
        // First the bucket's account (its plain key names none: the Region's one bucket), then the throttles.
        Assert.Equal([1205, 1001, 1002, 1001, 1003], logs.GetSnapshot().Where(r => r.Category == "ThrottleKit").Select(r => r.Id.Id));
    }

    [Fact]
    public async Task An_operation_with_a_bucket_of_its_own_reports_its_rate_apart_from_the_service()
    {
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { RatePerSecond = 1000, Burst = 1000 });
        var services = new ServiceCollection().AddMetrics();
        services.AddDefaultAWSOptions(Clients.AwsOptions(emulator));
        services.AddAWSService<IAmazonSecurityTokenService>();
        services.AddThrottledAwsClients(o => o.Services[AwsServiceKeys.SimpleEmail].Operations["GetCallerIdentity"] = new() { PermitsPerSecond = 1 })
            .MapServiceId("STS", AwsServiceKeys.SimpleEmail);
        await using var provider = services.BuildServiceProvider();
        using var rates = new MetricCollector<double>(provider.GetRequiredService<IMeterFactory>(), "ThrottleKit", "throttlekit.rate_limit.rate");
        await provider.GetRequiredService<IAmazonSecurityTokenService>().GetCallerIdentityAsync(new GetCallerIdentityRequest());

        rates.RecordObservableInstruments();

        Assert.Contains(rates.GetMeasurementSnapshot(), m => m.Value == 1 && Equals(m.Tags["throttlekit.service"], "SES:GetCallerIdentity"));
        Assert.DoesNotContain(rates.GetMeasurementSnapshot(), m => Equals(m.Tags["throttlekit.service"], "SES"));
        var bucket = Assert.Single(provider.GetRequiredService<AwsThrottlingState>().GetBuckets());
        Assert.Equal("GetCallerIdentity", bucket.Operation);
    }

    [Fact]
    public void Null_arguments_are_rejected_by_name()
    {
        Assert.Equal("services", Assert.Throws<ArgumentNullException>(() => ((IServiceCollection)null!).AddThrottledAwsClients()).ParamName);
        Assert.Equal("configuration", Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddThrottledAwsClients((IConfiguration)null!)).ParamName);
        Assert.Equal("serviceId", Assert.Throws<ArgumentException>(() => new ServiceCollection().AddThrottledAwsClients().MapServiceId(string.Empty, "SES")).ParamName);
        Assert.Equal("rules", Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddThrottledAwsClients().UseRules("SES", null!)).ParamName);
    }

    private static ServiceProvider Build(SesEmulator emulator, Action<AwsThrottlingOptions>? configure = null, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddDefaultAWSOptions(Clients.AwsOptions(emulator));
        services.AddAWSService<IAmazonSecurityTokenService>();
        services.AddThrottledAwsClients(options => configure?.Invoke(options)).MapServiceId("STS", AwsServiceKeys.SimpleEmail);
        return services.BuildServiceProvider(validateScopes: true);
    }
}
