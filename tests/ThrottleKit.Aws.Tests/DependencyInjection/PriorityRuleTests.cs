using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.DependencyInjection;
using ThrottleKit.Aws.Tests.Support;
using ThrottleKit.Testing;

namespace ThrottleKit.Aws.Tests.DependencyInjection;

/// <summary>
/// A service's requests made outside any scope take their priority and flow from the request, by the rules of
/// <see cref="AwsServiceThrottlingOptions.Priorities"/>; here an SQS client stands for Connect Campaigns (the same JSON
/// protocol), and the queue URL for what an app would key on (SES's configuration set, a campaign's id).
/// </summary>
public class PriorityRuleTests
{
    [Fact]
    public void The_rules_read_the_priority_and_the_flow_from_the_request_and_a_value_they_do_not_name_is_Normal()
    {
        var endpoint = new Uri("http://127.0.0.1:1/");
        using var provider = Build(endpoint, rate: 100);
        var throttle = provider.GetRequiredService<ThrottledAwsServices>().FindByServiceId("SQS")!;
        var (urgent, bulk) = (Queue(endpoint, "urgent"), Queue(endpoint, "bulk"));

        Assert.Equal(new RequestPriority(ThrottlePriority.High, urgent), throttle.PriorityOf(new SendMessageBatchRequest { QueueUrl = urgent }));
        Assert.Equal(new RequestPriority(ThrottlePriority.Low, bulk), throttle.PriorityOf(new SendMessageBatchRequest { QueueUrl = bulk }));
        Assert.Equal(new RequestPriority(ThrottlePriority.Normal, "other"), throttle.PriorityOf(new SendMessageBatchRequest { QueueUrl = "other" }));
        Assert.Equal(new RequestPriority(ThrottlePriority.Normal), throttle.PriorityOf(new ListQueuesRequest()));
    }

    [Fact]
    public async Task An_urgent_call_goes_before_the_bulk_calls_queued_ahead_of_it_with_no_scope_in_the_code()
    {
        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { RatePerSecond = 100, Burst = 100 });
        await using var provider = Build(emulator.Endpoint, rate: 2);
        var sqs = provider.GetRequiredService<IAmazonSQS>();
        var limiter = provider.GetRequiredService<ThrottledAwsServices>().FindByServiceId("SQS")!;

        Task Send(string queue, string id) => sqs.SendMessageBatchAsync(new SendMessageBatchRequest(Queue(emulator.Endpoint, queue), [new SendMessageBatchRequestEntry(id, "dial")]));

        // The first bulk call takes the bucket's one permit; four more wait for theirs, then the urgent one comes.
        var bulk = Enumerable.Range(0, 5).Select(i => Send("bulk", $"b{i}")).ToArray();
        await WaitUntil(() => limiter.Buckets().Any(b => (b.Limiter as GcraRateLimiter)?.QueuedRequests(ThrottlePriority.Low) == 4));
        var urgent = Send("urgent", "u");
        await Task.WhenAll([.. bulk, urgent]).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(["b0", "u", "b1", "b2", "b3", "b4"], emulator.Attempts.Where(a => a.Item is not null).Select(a => a.Item));
    }

    private static ServiceProvider Build(Uri endpoint, double rate) => Containers.Build(endpoint, o =>
    {
        var campaigns = o.Services[AwsServiceKeys.ConnectCampaigns];
        campaigns.RateLimit.PermitsPerSecond = rate;
        campaigns.RateLimit.Burst = 1;
        campaigns.Adaptive.Enabled = false;
        campaigns.Priorities.By = "QueueUrl";
        campaigns.Priorities.Values[Queue(endpoint, "urgent")] = ThrottlePriority.High;
        campaigns.Priorities.Values[Queue(endpoint, "bulk")] = ThrottlePriority.Low;
        campaigns.Priorities.FlowBy = "QueueUrl";
    });

    private static string Queue(Uri endpoint, string name) => new Uri(endpoint, $"123456789012/{name}").ToString();

    private static async Task WaitUntil(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the condition did not come true within 30 s");
            await Task.Delay(5);
        }
    }
}
