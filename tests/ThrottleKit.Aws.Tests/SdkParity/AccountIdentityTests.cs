using System;
using System.Collections.Generic;
using System.Linq;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using ThrottleKit.Aws.Tests.Support;
using ThrottleKit.Testing;
using Xunit.Abstractions;

namespace ThrottleKit.Aws.Tests.SdkParity;

/// <summary>
/// A quota belongs to an account in a Region, whatever credentials its callers hold: role sessions with keys of their own,
/// keys that renew, IAM users of one account — each with the credential types the SDK serves, routed as its pipeline hands
/// requests over.
/// </summary>
[Collection(ProcessWide.Name)]
public sealed class AccountIdentityTests(ITestOutputHelper output)
{
    private const string Account = "123456789012";

    [Fact]
    public void Role_sessions_of_one_account_spend_one_bucket_named_after_the_account_never_after_a_key()
    {
        // What EC2, ECS, EKS and AssumeRole hand each host: a session of its own (ASIA… key), the account it belongs to.
        var collector = new FakeLogCollector();
        using var provider = Build(services: s => s.AddLogging(l => l.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(collector))));
        var throttle = Throttle(provider);

        for (var host = 0; host < 4; host++)
        {
            throttle.Route(Request(new SessionAWSCredentials($"ASIAHOST{host:D12}", "secret", $"token-{host}", Account)));
        }

        var bucket = Assert.Single(provider.GetRequiredService<AwsThrottlingState>().GetBuckets());
        Assert.Equal(("us-east-1", Account), (bucket.Region, bucket.Account));
        Assert.DoesNotContain(collector.GetSnapshot(), r => r.Message.Contains("ASIA", StringComparison.Ordinal));
    }

    [Fact]
    [Trait("Category", RealClock.Category)]
    public async System.Threading.Tasks.Task Role_sessions_and_a_renewing_key_of_one_account_at_its_quota_are_hardly_ever_throttled()
    {
        // Three clients on role sessions of their own and one whose key renews at every signature, all of one account, whose
        // quota (10/s) the service enforces across all its keys, as AWS does. A bucket per key would attempt 4× the quota.
        const double Quota = 10;
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions
        {
            RatePerSecond = Quota,
            Burst = Quota,
            AccountOfAccessKey = key => key.StartsWith("ASIA", StringComparison.Ordinal) ? Account : key,
        });
        var collection = new ServiceCollection();
        AWSCredentials[] credentials =
        [
            new SessionAWSCredentials("ASIAHOSTA00000000001", "secret", "token-a", Account),
            new SessionAWSCredentials("ASIAHOSTB00000000002", "secret", "token-b", Account),
            new SessionAWSCredentials("ASIAHOSTC00000000003", "secret", "token-c", Account),
            new RenewingCredentials(Account),
        ];
        for (var i = 0; i < credentials.Length; i++)
        {
            var own = credentials[i];
            collection.AddKeyedSingleton<IAmazonSecurityTokenService>(i, (_, _) => new AmazonSecurityTokenServiceClient(
                own,
                new AmazonSecurityTokenServiceConfig { ServiceURL = emulator.Endpoint.ToString(), AuthenticationRegion = "us-east-1", IgnoreConfiguredEndpointUrls = true }));
        }

        collection.AddThrottledAwsClients(o =>
        {
            o.Services[AwsServiceKeys.SimpleEmail].RateLimit.PermitsPerSecond = Quota;
            o.Services[AwsServiceKeys.SimpleEmail].ReadAccountQuota = false;
        }).MapServiceId("STS", AwsServiceKeys.SimpleEmail);
        await using var provider = collection.BuildServiceProvider();
        var clients = Enumerable.Range(0, credentials.Length).Select(i => provider.GetRequiredKeyedService<IAmazonSecurityTokenService>(i)).ToArray();

        await System.Threading.Tasks.Task.WhenAll(clients.Select(client => System.Threading.Tasks.Task.Run(async () =>
        {
            for (var call = 0; call < 10; call++)
            {
                await client.GetCallerIdentityAsync(new GetCallerIdentityRequest());
            }
        })));

        var attempts = emulator.Attempts.ToArray();
        var throttled = attempts.Count(a => a.Outcome == EmulatorOutcome.Throttled);
        var excess = emulator.ExcessLag(RealClock.StallThreshold(AwsRateLimitOptions.DefaultJitterAllowance));
        var bound = RealClock.ThrottleBound(Quota, excess);
        var evidence = $"{throttled} throttled of {attempts.Length} attempts (bound {bound:0.#}, excess lag {excess.TotalMilliseconds:0} ms); keys seen {attempts.Select(a => a.Account).Distinct().Count()}. {emulator.Describe()}";
        output.WriteLine(evidence);
        Assert.Equal(40, attempts.Count(a => a.Outcome == EmulatorOutcome.Accepted));
        Assert.True(throttled <= bound, evidence);
        Assert.Equal(Account, Assert.Single(provider.GetRequiredService<AwsThrottlingState>().GetBuckets()).Account);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("444455556666")]
    public async System.Threading.Tasks.Task Sessions_of_a_role_assumed_through_STS_and_by_web_identity_spend_the_roles_account_bucket(string? configured)
    {
        // The SDK's role providers (AssumeRoleAWSCredentials, AssumeRoleWithWebIdentityCredentials for IRSA) ask STS through
        // ICoreAmazonSTS, which the served STS client implements: here it asks the emulator, whose answer names the role's
        // account. The web-identity session carries that AccountId; an AssumeRole session refreshed asynchronously (as an app
        // that awaits its calls refreshes it) carries none.
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { RatePerSecond = 1000, Burst = 1000 });
        using var source = new AmazonSecurityTokenServiceClient(new BasicAWSCredentials("AKIASOURCEUSER", "secret"), EmulatorConfig(emulator));
        var sts = (Amazon.Runtime.SharedInterfaces.ICoreAmazonSTS)source;
        const string Role = "arn:aws:iam::444455556666:role/Mailer";
        var assumed = await sts.CredentialsFromAssumeRoleAuthenticationAsync(Role, "host-a", new AssumeRoleAWSCredentialsOptions());
        var webIdentity = await sts.CredentialsFromAssumeRoleWithWebIdentityAuthenticationAsync("eyJ.token.of-the-pod", Role, "pod-b", new AssumeRoleWithWebIdentityCredentialsOptions());
        Assert.Equal("444455556666", webIdentity.AccountId);
        var named = assumed.AccountId is not null;   // null with AWSSDK.Core 4.0.3 (the pinned one); a later SDK may name it

        var collector = new FakeLogCollector();
        var collection = new ServiceCollection().AddLogging(l => l.AddProvider(new FakeLoggerProvider(collector)));
        ImmutableCredentials[] sessions = [assumed, webIdentity];
        for (var i = 0; i < sessions.Length; i++)
        {
            var session = new HeldCredentials(sessions[i]);
            collection.AddKeyedSingleton<IAmazonSecurityTokenService>(i, (_, _) => new AmazonSecurityTokenServiceClient(session, EmulatorConfig(emulator)));
        }

        collection.AddThrottledAwsClients(o =>
        {
            o.AccountId = configured;
            o.Services[AwsServiceKeys.SimpleEmail].ReadAccountQuota = false;
        }).MapServiceId("STS", AwsServiceKeys.SimpleEmail);
        await using var provider = collection.BuildServiceProvider();
        var identities = new List<string>();
        for (var i = 0; i < sessions.Length; i++)
        {
            identities.Add((await provider.GetRequiredKeyedService<IAmazonSecurityTokenService>(i).GetCallerIdentityAsync(new GetCallerIdentityRequest())).Account);
        }

        // To the service both sessions are the role's account's.
        Assert.Equal(["444455556666", "444455556666"], identities);
        var buckets = provider.GetRequiredService<AwsThrottlingState>().GetBuckets().Select(b => b.Account).ToArray();
        var split = collector.GetSnapshot().Where(r => r.Id.Name == "AccountSplit").ToArray();
        if (configured is null && !named)
        {
            // Unconfigured, the session that names no account cannot be told from another account's: two buckets, and a
            // warning that says how to mend it.
            Assert.Equal(["*", "444455556666"], buckets);
            Assert.Equal(LogLevel.Warning, Assert.Single(split).Level);
            Assert.Contains("AccountId", split[0].Message, StringComparison.Ordinal);
        }
        else
        {
            // With the account configured (or named by both sessions), both spend its one bucket, and nothing is said.
            Assert.Equal(["444455556666"], buckets);
            Assert.Empty(split);
        }
    }

    [Fact]
    public void The_buckets_of_two_processes_with_different_sessions_of_one_account_are_stored_under_one_name()
    {
        // What makes a Redis fleet share one quota: the same key in every process, whatever session each holds.
        var store = new NameRecordingStore();
        using var first = Build(services: s => s.AddSingleton<IRateLimiterStore>(store));
        using var second = Build(services: s => s.AddSingleton<IRateLimiterStore>(store));

        Throttle(first).Route(Request(new SessionAWSCredentials("ASIAFIRSTPROCESS0001", "secret", "token-1", Account)));
        Throttle(second).Route(Request(new SessionAWSCredentials("ASIASECONDPROCESS002", "secret", "token-2", Account)));

        Assert.Equal([$"SES:us-east-1:{Account}", $"SES:us-east-1:{Account}"], store.Names);
    }

    [Theory]
    [InlineData(Account)]
    [InlineData(null)]
    public void Credentials_that_renew_their_key_keep_one_bucket_and_its_queue(string? account)
    {
        using var provider = Build();
        var throttle = Throttle(provider);
        var renewing = new RenewingCredentials(account);

        var buckets = Enumerable.Range(0, 100).Select(_ => throttle.Route(Request(renewing)).Bucket).Distinct().ToArray();

        Assert.Equal(100, renewing.Renewals);
        Assert.Single(buckets);
        Assert.Equal(account ?? "*", Assert.Single(provider.GetRequiredService<AwsThrottlingState>().GetBuckets()).Account);
    }

    [Fact]
    public void Keys_that_name_no_account_share_the_Regions_bucket_and_say_so_once()
    {
        // Plain keys, EC2 instance roles: the credentials do not say whose they are.
        var collector = new FakeLogCollector();
        using var provider = Build(services: s => s.AddLogging(l => l.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(collector))));
        var throttle = Throttle(provider);

        throttle.Route(Request(new BasicAWSCredentials("AKIDFIRSTUSER", "secret")));
        throttle.Route(Request(new BasicAWSCredentials("AKIDSECONDUSER", "secret")));
        throttle.Route(Request(new BasicAWSCredentials("AKIDFIRSTUSER", "secret")));

        Assert.Equal("*", Assert.Single(provider.GetRequiredService<AwsThrottlingState>().GetBuckets()).Account);
        var said = Assert.Single(collector.GetSnapshot(), r => r.Id.Name == "AccountUnknown");
        Assert.Equal(LogLevel.Information, said.Level);
        Assert.Contains("SES:us-east-1:*", said.Message, StringComparison.Ordinal);
        Assert.Contains("AccountId", said.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_configured_account_names_the_bucket_of_credentials_that_name_none_and_two_accounts_get_two_buckets()
    {
        using var provider = Build(o => o.AccountId = "111122223333");
        var throttle = Throttle(provider);

        throttle.Route(Request(new BasicAWSCredentials("AKIDPLAINKEY", "secret")));
        throttle.Route(Request(new BasicAWSCredentials("AKIDOTHERACCOUNT", "secret", "444455556666")));

        Assert.Equal(["111122223333", "444455556666"], provider.GetRequiredService<AwsThrottlingState>().GetBuckets().Select(b => b.Account).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void An_account_id_that_is_not_twelve_digits_fails_validation_naming_the_setting_and_value()
    {
        var services = new ServiceCollection().AddThrottledAwsClients(o => o.AccountId = "12345").Services;
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<AwsThrottlingOptions>>().Value);

        Assert.Contains("AccountId", error.Message, StringComparison.Ordinal);
        Assert.Contains("'12345'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async System.Threading.Tasks.Task The_keyed_executor_spends_the_bucket_of_the_configured_account_and_Region_with_the_clients()
    {
        using var provider = Build(o => (o.AccountId, o.Region) = (Account, "us-east-1"));
        var throttle = Throttle(provider);

        throttle.Route(Request(new SessionAWSCredentials("ASIASESSION000000001", "secret", "token", Account)));
        await provider.GetRequiredKeyedService<IThrottledExecutor>(AwsServiceKeys.SimpleEmail).ExecuteAsync(_ => System.Threading.Tasks.Task.CompletedTask);

        var bucket = Assert.Single(provider.GetRequiredService<AwsThrottlingState>().GetBuckets());
        Assert.Equal(("us-east-1", Account), (bucket.Region, bucket.Account));
    }

    [Fact]
    public void A_hundred_thousand_idle_buckets_are_let_go_after_the_idle_timeout_and_memory_returns_to_its_baseline()
    {
        const int Accounts = 100_000;
        var time = new FakeTimeProvider();
        using var provider = Build(o => o.IdleBucketTimeout = TimeSpan.FromMinutes(5), s => s.AddSingleton<TimeProvider>(time));
        var throttle = Throttle(provider);
        var state = provider.GetRequiredService<AwsThrottlingState>();

        // The baseline is an app that has been through one such busy spell: what is done once at that size (code made ready,
        // the runtime's own tables: 0.28 MB measured, the same after 100,000 buckets as after 200,000) is not a leak; what
        // each spell of buckets leaves behind would be, and would add up.
        LoadAndLetGo(throttle, state, time, Accounts);
        var baseline = SettledHeap();
        var loaded = LoadAndLetGo(throttle, state, time, Accounts);
        var after = SettledHeap();
        output.WriteLine($"baseline {baseline / 1e6:0.00} MB, {Accounts} buckets {loaded / 1e6:0.00} MB, after eviction {after / 1e6:0.00} MB");
        Assert.Empty(state.GetBuckets());
        Assert.True(after <= baseline * 1.1, $"baseline {baseline} B, with the buckets {loaded} B, after eviction {after} B");
    }

    /// <summary>
    /// Routes one request for each of <paramref name="accounts"/> accounts, as the SDK's pipeline hands them over (each
    /// dropped once routed: what stays is the buckets), then lets time pass; returns the heap with the buckets in it.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static long LoadAndLetGo(ServiceThrottle throttle, AwsThrottlingState state, FakeTimeProvider time, int accounts)
    {
        for (var i = 1; i <= accounts; i++)
        {
            throttle.Route(Request(new BasicAWSCredentials($"AKIA{i:D16}", "secret", $"{i:D12}")));
        }

        var loaded = SettledHeap();
        Assert.Equal(accounts, CountBuckets(state));

        // Used again within the timeout: kept. Idle past it: gone, on the service's one timer, which looks every half timeout:
        // a bucket goes between 5 and 7.5 minutes after its last use.
        time.Advance(TimeSpan.FromMinutes(4));
        using (throttle.Route(Request(new BasicAWSCredentials("AKIAAGAIN", "secret", $"{7:D12}"))).Bucket.Limiter.AttemptAcquire(1))
        {
        }

        time.Advance(TimeSpan.FromMinutes(3.5));
        Assert.Single(state.GetBuckets());
        time.Advance(TimeSpan.FromMinutes(7.5));
        Assert.Empty(state.GetBuckets());
        return loaded;
    }

    /// <summary>
    /// Counts in a frame of its own: a method not yet optimised keeps its temporaries alive to its end, and 100,000 read-outs
    /// held by the test itself would look like a leak.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static int CountBuckets(AwsThrottlingState state) => state.GetBuckets().Count;

    /// <summary>
    /// The heap once what is garbage is gone. Some of it goes only through finalisers over several collections (the old
    /// tables of a ConditionalWeakTable are chained for its readers), more than GC.GetTotalMemory's own 5 % settling waits for.
    /// </summary>
    private static long SettledHeap()
    {
        for (var i = 0; i < 5; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static ServiceThrottle Throttle(ServiceProvider provider) => provider.GetRequiredService<ThrottledAwsServices>().FindByServiceId("STS")!;

    private static ServiceProvider Build(Action<AwsThrottlingOptions>? configure = null, Action<IServiceCollection>? services = null)
    {
        var collection = new ServiceCollection();
        services?.Invoke(collection);
        collection.AddThrottledAwsClients(o =>
        {
            // No reading of the account's quota here: these tests route requests, they send none.
            o.Services[AwsServiceKeys.SimpleEmail].ReadAccountQuota = false;
            configure?.Invoke(o);
        }).MapServiceId("STS", AwsServiceKeys.SimpleEmail);
        return collection.BuildServiceProvider();
    }

    /// <summary>One client's configuration, as every request of a client shares it.</summary>
    private static readonly AmazonSecurityTokenServiceConfig ClientConfig = new() { AuthenticationRegion = "us-east-1" };

    private static RequestContext Request(AWSCredentials credentials) => new(false)
    {
        ClientConfig = ClientConfig,
        OriginalRequest = new GetCallerIdentityRequest(),
        Identity = credentials,
    };

    private static AmazonSecurityTokenServiceConfig EmulatorConfig(SesEmulator emulator)
        => new() { ServiceURL = emulator.Endpoint.ToString(), AuthenticationRegion = "us-east-1", IgnoreConfiguredEndpointUrls = true };

    /// <summary>A session's credentials as a role provider holds them between refreshes: what STS answered, AccountId and all.</summary>
    private sealed class HeldCredentials(ImmutableCredentials session) : AWSCredentials
    {
        public override ImmutableCredentials GetCredentials() => session;
    }

    /// <summary>Credentials whose key is new every time they are read, as a role session's is after each renewal.</summary>
    private sealed class RenewingCredentials(string? account) : AWSCredentials
    {
        private int _renewals;

        public int Renewals => _renewals;

        public override ImmutableCredentials GetCredentials()
        {
            var renewal = System.Threading.Interlocked.Increment(ref _renewals);
            return new ImmutableCredentials($"ASIARENEWED{renewal:D9}", "secret", $"token-{renewal}", account);
        }
    }
}
