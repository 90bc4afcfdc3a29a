using System;
using System.Net;
using System.Net.Http;
using System.Net.Mail;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using ThrottleKit.Aws;
using ThrottleKit.Aws.Tests.Support;
using ThrottleKit;
using ThrottleKit.Testing;
using Microsoft.Extensions.Logging.Testing;

namespace ThrottleKit.Aws.Tests.Classification;

/// <summary>The classifiers judged on exceptions that real SDK clients made from real wire responses.</summary>
public class RealSdkExceptionTests
{
    [Fact]
    public async Task SES_maximum_sending_rate_exceeded_is_retriable()
    {
        var error = await StsFailureAsync(new SesEmulatorOptions { Burst = 0 });

        Assert.Equal("Throttling", error.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal(ErrorType.Sender, error.ErrorType);
        Assert.Equal("Maximum sending rate exceeded.", error.Message);
        Assert.Equal(ThrottlingClassification.Retriable, SimpleEmailThrottlingClassifier.Instance.Classify(error));
    }

    [Fact]
    public async Task SES_daily_message_quota_exceeded_is_terminal()
    {
        var error = await StsFailureAsync(new SesEmulatorOptions { DailyQuota = 0 });

        Assert.Equal("Throttling", error.ErrorCode);
        Assert.Equal("Daily message quota exceeded.", error.Message);
        Assert.Equal(ThrottlingClassification.Terminal, SimpleEmailThrottlingClassifier.Instance.Classify(error));
    }

    [Fact]
    public async Task A_server_error_is_not_a_throttle_for_either_service()
    {
        var error = await StsFailureAsync(new SesEmulatorOptions { Faults = EmulatorFaults.ServerError, FaultRate = 1 });

        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal(ThrottlingClassification.Unknown, SimpleEmailThrottlingClassifier.Instance.Classify(error));
        Assert.Equal(ThrottlingClassification.Unknown, ConnectCampaignsThrottlingClassifier.Instance.Classify(error));
    }

    [Fact]
    public async Task Connect_Campaigns_429_ThrottlingException_is_retriable()
    {
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { Burst = 0 });
        using var client = Clients.Ssm(emulator, maxErrorRetry: 0);

        var error = await Assert.ThrowsAsync<AmazonSimpleSystemsManagementException>(
            () => client.GetParameterAsync(new GetParameterRequest { Name = "x" }));

        Assert.Equal("ThrottlingException", error.ErrorCode);
        Assert.Equal((HttpStatusCode)429, error.StatusCode);
        Assert.Equal(ThrottlingClassification.Retriable, ConnectCampaignsThrottlingClassifier.Instance.Classify(error));
    }

    [Fact]
    public async Task A_dropped_connection_is_not_a_throttle()
    {
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { Faults = EmulatorFaults.Reset, FaultRate = 1 });
        using var client = Clients.Sts(emulator, maxErrorRetry: 0);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => client.GetCallerIdentityAsync(new GetCallerIdentityRequest()));

        Assert.Equal(ThrottlingClassification.Unknown, SimpleEmailThrottlingClassifier.Instance.Classify(error));
        Assert.Equal(ThrottlingClassification.Unknown, ConnectCampaignsThrottlingClassifier.Instance.Classify(error));
    }

    [Fact]
    public async Task A_timeout_is_not_a_throttle()
    {
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { Faults = EmulatorFaults.Stall, FaultRate = 1, StallDuration = TimeSpan.FromSeconds(5) });
        using var client = Clients.Sts(emulator, maxErrorRetry: 0, timeout: TimeSpan.FromMilliseconds(300));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => client.GetCallerIdentityAsync(new GetCallerIdentityRequest()));

        Assert.Equal(ThrottlingClassification.Unknown, SimpleEmailThrottlingClassifier.Instance.Classify(error));
    }

    [Theory]
    [InlineData("MessageRejected", "Email address is not verified.", 400)]
    [InlineData("MessageRejected", "Maximum sending rate exceeded.", 400)]
    [InlineData("InvalidParameterValue", "Missing final '@domain'", 400)]
    [InlineData("ServiceUnavailable", "Service Unavailable", 503)]
    public void Other_SES_errors_are_not_throttles(string code, string message, int status)
    {
        var error = new AmazonServiceException(message, null, ErrorType.Sender, code, "req-1", (HttpStatusCode)status);

        Assert.Equal(ThrottlingClassification.Unknown, SimpleEmailThrottlingClassifier.Instance.Classify(error));
    }

    [Fact]
    public void SES_v2_TooManyRequestsException_is_retriable()
    {
        var error = new AmazonServiceException("Too many requests.", null, ErrorType.Sender, "TooManyRequestsException", "req-1", (HttpStatusCode)429);

        Assert.Equal(ThrottlingClassification.Retriable, SimpleEmailThrottlingClassifier.Instance.Classify(error));
    }

    [Theory]
    [InlineData("Throttling")]
    [InlineData("ThrottlingException")]
    [InlineData("TooManyRequestsException")]
    [InlineData("LimitExceededException")]
    [InlineData("RequestThrottled")]
    [InlineData("SlowDown")]
    [InlineData("PriorRequestNotComplete")]
    public void The_send_rate_message_is_retriable_under_every_code_of_the_SDKs_throttling_list(string code)
    {
        var error = new AmazonServiceException("Maximum sending rate exceeded.", null, ErrorType.Sender, code, "req-1", HttpStatusCode.BadRequest);

        Assert.Contains(code, SimpleEmailThrottlingClassifier.ThrottlingErrorCodes);
        Assert.Equal(ThrottlingClassification.Retriable, SimpleEmailThrottlingClassifier.Instance.Classify(error));
    }

    [Fact]
    public void An_unknown_wording_under_a_throttling_code_is_retried_and_reported_once_per_code_and_wording_without_addresses()
    {
        var logs = new FakeLogCollector();
        var classifier = new SimpleEmailThrottlingClassifier(new FakeLogger(logs));
        AmazonServiceException Throttle(string code, string message) => new(message, null, ErrorType.Sender, code, "req-1", HttpStatusCode.BadRequest);

        Assert.Equal(ThrottlingClassification.Retriable, classifier.Classify(Throttle("Throttling", "Sending paused for a@example.com because of load spikes today")));
        Assert.Equal(ThrottlingClassification.Retriable, classifier.Classify(Throttle("Throttling", "Sending paused for a@example.com because of load spikes today")));
        Assert.Equal(ThrottlingClassification.Retriable, classifier.Classify(Throttle("ThrottlingException", "Sending paused for a@example.com because of load spikes today")));
        Assert.Equal(ThrottlingClassification.Retriable, classifier.Classify(Throttle("Throttling", "Maximum sending rate exceeded.")));

        var warnings = logs.GetSnapshot();
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.Equal("UnknownThrottleWording", w.Id.Name));
        Assert.All(warnings, w => Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, w.Level));
        Assert.Contains("Throttling", warnings[0].Message, StringComparison.Ordinal);
        Assert.Contains("Sending paused for [address] because of", warnings[0].Message, StringComparison.Ordinal);
        Assert.DoesNotContain("example.com", warnings[0].Message, StringComparison.Ordinal);
        Assert.Contains("ThrottlingException", warnings[1].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AccountThrottled", ThrottlingClassification.Retriable)]
    [InlineData("ACCOUNT_THROTTLED", ThrottlingClassification.Retriable)]
    [InlineData("Success", ThrottlingClassification.Unknown)]
    [InlineData("SUCCESS", ThrottlingClassification.Unknown)]
    [InlineData("AccountDailyQuotaExceeded", ThrottlingClassification.Terminal)]
    [InlineData("ACCOUNT_DAILY_QUOTA_EXCEEDED", ThrottlingClassification.Terminal)]
    [InlineData("MessageRejected", ThrottlingClassification.Terminal)]
    [InlineData("TransientFailure", ThrottlingClassification.Terminal)]
    public void Bulk_send_statuses_retry_only_AccountThrottled(string status, ThrottlingClassification expected)
        => Assert.Equal(expected, SimpleEmailThrottlingClassifier.ClassifyBulkStatus(status));

    [Theory]
    [InlineData("RequestThrottled", ThrottlingClassification.Retriable)]
    [InlineData("BufferLimitExceeded", ThrottlingClassification.Retriable)]
    [InlineData("InvalidInput", ThrottlingClassification.Terminal)]
    [InlineData("UnknownError", ThrottlingClassification.Terminal)]
    [InlineData(null, ThrottlingClassification.Terminal)]
    public void Connect_Campaigns_batch_items_retry_only_RequestThrottled_and_BufferLimitExceeded(string? failureCode, ThrottlingClassification expected)
        => Assert.Equal(expected, ConnectCampaignsThrottlingClassifier.ClassifyFailedItem(failureCode));

    [Theory]
    [InlineData("Throttling failure: Maximum sending rate exceeded.", ThrottlingClassification.Retriable)]
    [InlineData("Throttling failure: Daily message quota exceeded.", ThrottlingClassification.Terminal)]
    public void SMTP_454_throttling_failures_are_told_apart(string reply, ThrottlingClassification expected)
    {
        var error = new SmtpException((SmtpStatusCode)454, reply);

        Assert.Equal(expected, SimpleEmailThrottlingClassifier.Instance.Classify(error));
    }

    [Theory]
    [InlineData(SmtpStatusCode.MailboxUnavailable, "Message rejected: Email address is not verified.")]
    [InlineData(SmtpStatusCode.ServiceNotAvailable, "Service not available, closing transmission channel")]
    public void Other_SMTP_failures_are_not_throttles(SmtpStatusCode status, string reply)
    {
        Assert.Equal(ThrottlingClassification.Unknown, SimpleEmailThrottlingClassifier.Instance.Classify(new SmtpException(status, reply)));
    }

    [Fact]
    public void Transport_failures_are_not_throttles()
    {
        Exception[] failures = [new HttpRequestException("Connection reset by peer"), new TimeoutException(), new TaskCanceledException()];
        foreach (var failure in failures)
        {
            Assert.Equal(ThrottlingClassification.Unknown, SimpleEmailThrottlingClassifier.Instance.Classify(failure));
            Assert.Equal(ThrottlingClassification.Unknown, ConnectCampaignsThrottlingClassifier.Instance.Classify(failure));
        }
    }

    private static async Task<AmazonSecurityTokenServiceException> StsFailureAsync(SesEmulatorOptions options)
    {
        await using var emulator = await SesEmulator.StartAsync(options);
        using var client = Clients.Sts(emulator, maxErrorRetry: 0);
        return await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => client.GetCallerIdentityAsync(new GetCallerIdentityRequest()));
    }
}
