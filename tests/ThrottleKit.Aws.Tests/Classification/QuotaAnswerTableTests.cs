using System;
using System.Linq;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using Microsoft.Extensions.DependencyInjection;
using ThrottleKit.Aws;
using ThrottleKit.Aws.Tests.Support;
using ThrottleKit.Testing;

namespace ThrottleKit.Aws.Tests.Classification;

/// <summary>
/// Every code and wording SES and Connect Campaigns answer a quota with, from the emulator to a real served client through
/// <c>AddThrottledAwsClients</c>: how many attempts the call made, and which exception surfaced. STS speaks SES v1's awsQuery;
/// SSM parses JSON errors as the SES v2 and Connect Campaigns clients do.
/// </summary>
public class QuotaAnswerTableTests
{
    private const int Retries = 3;
    private const int Retried = Retries + 1;

    public static TheoryData<string, string, int, string, string, int> Rows => new()
    {
        // The send rate: retried under every code SES has used for it.
        { "SES", "awsQuery", 400, "Throttling", "Maximum sending rate exceeded.", Retried },
        { "SES", "awsQuery", 400, "ThrottlingException", "Maximum sending rate exceeded.", Retried },
        { "SES", "awsQuery", 400, "ThrottlingException", "Maximum sending rate exceeded", Retried },
        { "SES", "json", 429, "TooManyRequestsException", "Maximum sending rate exceeded.", Retried },
        { "SES", "json", 400, "ThrottlingException", "maximum sending rate exceeded", Retried },

        // The 24-hour quota: terminal under any code, in both wordings, any case, with or without the period.
        { "SES", "awsQuery", 400, "Throttling", "Daily message quota exceeded.", 1 },
        { "SES", "awsQuery", 400, "ThrottlingException", "Daily message quota exceeded", 1 },
        { "SES", "awsQuery", 400, "Throttling", "Daily sending quota exceeded.", 1 },
        { "SES", "awsQuery", 400, "ThrottlingException", "DAILY SENDING QUOTA EXCEEDED", 1 },
        { "SES", "json", 400, "LimitExceededException", "Daily message quota exceeded.", 1 },
        { "SES", "json", 400, "LimitExceededException", "Daily sending quota exceeded", 1 },
        { "SES", "json", 429, "TooManyRequestsException", "Daily message quota exceeded.", 1 },

        // A wording not known yet, under a throttling code: retried (and reported once, see the classifier's tests).
        { "SES", "awsQuery", 400, "Throttling", "Rate of requests exceeds the allowed rate.", Retried },
        { "SES", "json", 429, "TooManyRequestsException", "Too many requests.", Retried },

        // Everything else is terminal, the send-rate words under a code that is not a throttle included.
        { "SES", "awsQuery", 400, "MessageRejected", "Email address is not verified.", 1 },
        { "SES", "awsQuery", 400, "MessageRejected", "Maximum sending rate exceeded.", 1 },
        { "SES", "awsQuery", 503, "ServiceUnavailable", "Service is unavailable.", 1 },
        { "SES", "json", 400, "BadRequestException", "Invalid email address.", 1 },
        { "SES", "json", 400, "AccountSuspendedException", "Your account is suspended.", 1 },

        // Connect Campaigns: ThrottlingException, and nothing else.
        { "ConnectCampaigns", "json", 429, "ThrottlingException", "Rate exceeded", Retried },
        { "ConnectCampaigns", "json", 429, "TooManyRequestsException", "Rate exceeded", 1 },
        { "ConnectCampaigns", "json", 402, "ServiceQuotaExceededException", "Request would cause a service quota to be exceeded.", 1 },
        { "ConnectCampaigns", "json", 409, "ConflictException", "The request could not be processed because of conflict.", 1 },
        { "ConnectCampaigns", "json", 500, "InternalServerException", "Request processing failed.", 1 },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Each_answer_makes_the_attempts_its_classification_calls_for_and_surfaces_unchanged(string serviceKey, string protocol, int status, string code, string message, int attempts)
    {
        var answer = new EmulatorAnswer(status, code, message);
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { Burst = 0, QueryThrottle = answer, JsonThrottle = answer });
        await using var provider = Build(emulator, serviceKey, protocol, retries: Retries);

        var error = await CallAsync(provider, protocol);

        Assert.Equal(code, error.ErrorCode);
        Assert.Equal(message, error.Message);
        Assert.Equal(status, (int)error.StatusCode);
        Assert.Equal(attempts, emulator.Attempts.Count);
        Assert.Single(emulator.Attempts.Select(a => a.InvocationId).Distinct());
    }

    [Theory]
    [InlineData("awsQuery", "Throttling")]
    [InlineData("awsQuery", "ThrottlingException")]
    [InlineData("json", "TooManyRequestsException")]
    [InlineData("json", "ThrottlingException")]
    public async Task Twenty_sends_at_a_10_per_second_quota_are_all_delivered_whatever_code_the_throttle_comes_with(string protocol, string code)
    {
        // The client believes in a far higher quota than the service grants, so the service throttles it, and only the
        // retries deliver: with ThrottlingException a send-rate throttle is retried exactly as with Throttling.
        var answer = new EmulatorAnswer(400, code, "Maximum sending rate exceeded.");
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { RatePerSecond = 10, Burst = 10, QueryThrottle = answer, JsonThrottle = answer });
        await using var provider = Build(emulator, AwsServiceKeys.SimpleEmail, protocol, retries: 10, clientRate: 1000);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => SucceedAsync(provider, protocol)));

        Assert.Equal(20, emulator.Attempts.Count(a => a.Outcome == EmulatorOutcome.Accepted));
        Assert.Contains(emulator.Attempts, a => a.Outcome == EmulatorOutcome.Throttled);
    }

    private static async Task<AmazonServiceException> CallAsync(ServiceProvider provider, string protocol)
        => protocol == "awsQuery"
            ? await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => provider.GetRequiredService<IAmazonSecurityTokenService>().GetCallerIdentityAsync(new GetCallerIdentityRequest()))
            : await Assert.ThrowsAsync<AmazonSimpleSystemsManagementException>(() => provider.GetRequiredService<IAmazonSimpleSystemsManagement>().GetParameterAsync(new GetParameterRequest { Name = "p" }));

    private static Task SucceedAsync(ServiceProvider provider, string protocol)
        => protocol == "awsQuery"
            ? provider.GetRequiredService<IAmazonSecurityTokenService>().GetCallerIdentityAsync(new GetCallerIdentityRequest())
            : provider.GetRequiredService<IAmazonSimpleSystemsManagement>().GetParameterAsync(new GetParameterRequest { Name = "p" });

    private static ServiceProvider Build(SesEmulator emulator, string serviceKey, string protocol, int retries, double? clientRate = null)
    {
        var services = new ServiceCollection();
        services.AddDefaultAWSOptions(Clients.AwsOptions(emulator));
        services.AddAWSService<IAmazonSecurityTokenService>();
        services.AddAWSService<IAmazonSimpleSystemsManagement>();
        services.AddThrottledAwsClients(options =>
        {
            var service = options.Services[serviceKey];
            if (clientRate is { } rate)
            {
                // The default backoff (10 ms … 5 s): a send waits up to 2 s for its turn at 10/s.
                service.RateLimit.PermitsPerSecond = rate;
                service.Backoff = new() { MaxRetries = retries };
            }
            else
            {
                service.Backoff = new() { MaxRetries = retries, MinDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(10) };
            }
        }).MapServiceId(protocol == "awsQuery" ? "STS" : "SSM", serviceKey);
        return services.BuildServiceProvider(validateScopes: true);
    }
}
