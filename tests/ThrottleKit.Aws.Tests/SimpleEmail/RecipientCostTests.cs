using System;
using ThrottleKit.Aws;
using ThrottleKit.Aws.Tests.SimpleEmail.Ses;
using ThrottleKit.Aws.Tests.SimpleEmail.SesV2;
using SendEmailRequest = ThrottleKit.Aws.Tests.SimpleEmail.Ses.SendEmailRequest;

namespace ThrottleKit.Aws.Tests.SimpleEmail;

public class RecipientCostTests
{
    private static readonly AwsThrottlingRules SesRules = SimpleEmailService.Rules(SimpleEmailThrottlingClassifier.Instance);

    [Fact]
    public void A_send_costs_its_to_cc_and_bcc_recipients()
    {
        var request = new SendEmailRequest
        {
            Destination = new Destination { ToAddresses = ["a@example.com", "b@example.com"], CcAddresses = ["c@example.com"], BccAddresses = ["d@example.com", "e@example.com"] },
        };

        Assert.Equal(5, SimpleEmailRecipientCounter.Count(request));
        Assert.Equal(5, SesRules.Cost(request));
    }

    [Fact]
    public void A_send_with_only_some_lists_counts_those()
    {
        Assert.Equal(1, SimpleEmailRecipientCounter.Count(new SendEmailRequest { Destination = new Destination { BccAddresses = ["x@example.com"] } }));
    }

    [Fact]
    public void A_raw_send_costs_its_destinations_or_one_when_it_lists_none()
    {
        Assert.Equal(3, SimpleEmailRecipientCounter.Count(new SendRawEmailRequest { Destinations = ["a@example.com", "b@example.com", "c@example.com"] }));
        Assert.Equal(1, SimpleEmailRecipientCounter.Count(new SendRawEmailRequest()));
        Assert.Equal(1, SimpleEmailRecipientCounter.Count(new SendRawEmailRequest { Destinations = [] }));
    }

    [Fact]
    public void A_bulk_send_costs_every_destination_of_every_entry()
    {
        var v1 = new SendBulkTemplatedEmailRequest
        {
            Destinations =
            [
                new BulkEmailDestination { Destination = new Destination { ToAddresses = ["a@example.com"], CcAddresses = ["b@example.com"] } },
                new BulkEmailDestination { Destination = new Destination { ToAddresses = ["c@example.com"] } },
            ],
        };
        var v2 = new SendBulkEmailRequest
        {
            BulkEmailEntries = [new BulkEmailEntry { Destination = new Destination { ToAddresses = ["a@example.com", "b@example.com"] } }, new BulkEmailEntry()],
        };

        Assert.Equal(3, SimpleEmailRecipientCounter.Count(v1));
        Assert.Equal(2, SimpleEmailRecipientCounter.Count(v2));
    }

    [Fact]
    public void Operations_of_SES_clients_that_do_not_send_cost_one_and_do_not_spend_the_sending_rate_but_a_stand_ins_all_do()
    {
        Assert.Equal(1, SesRules.Cost(new GetSendQuotaRequest()));
        Assert.False(SesRules.Spends("SES", "GetSendQuota"));
        Assert.False(SesRules.Spends("SESv2", "GetAccount"));
        Assert.True(SesRules.Spends("SES", "SendEmail"));
        Assert.True(SesRules.Spends("SESv2", "SendBulkEmail"));
        Assert.True(SesRules.Spends("STS", "GetCallerIdentity"));
        Assert.True(SesRules.Spends("MyMailer", "GetSendQuota"));
    }

    [Fact]
    public void Operation_names_drop_the_request_suffix()
    {
        Assert.Equal("SendEmail", AwsThrottlingRules.OperationName(new SendEmailRequest()));
        Assert.Equal("GetSendQuota", AwsThrottlingRules.OperationName(new GetSendQuotaRequest()));
    }

    [Fact]
    public void A_null_request_is_rejected_by_name()
    {
        Assert.Equal("request", Assert.Throws<ArgumentNullException>(() => SimpleEmailRecipientCounter.Count(null!)).ParamName);
    }
}
