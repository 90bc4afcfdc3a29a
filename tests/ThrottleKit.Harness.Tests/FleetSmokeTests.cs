using ThrottleKit.TestSupport;
using System;
using System.Linq;
using System.Threading.Tasks;
using ThrottleKit.Testing;
using Xunit.Abstractions;

namespace ThrottleKit.Harness.Tests;

/// <summary>
/// Four separate processes against one emulated quota, first with a limiter each, then sharing a bucket in Redis
/// (THROTTLEKIT_REDIS, which <c>.ci/run</c> starts, or a redis-server of the test's own). Each process holds a role session
/// of its own of one account, whose key renews every second, and the emulator enforces the quota per account, as AWS does:
/// the fleet as production runs it. Real clock: every bound comes from the interval, lag and timestamps the run measured
/// (docs/testing.md), and a failure prints them.
/// </summary>
[Collection(HarnessRuns.Name)]
[Trait("Category", RealClock.Category)]
public sealed class FleetSmokeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Four_processes_on_role_sessions_of_one_account_drown_in_throttles_with_a_limiter_each_and_keep_to_its_quota_through_Redis()
    {
        await using var own = LocalRedisServer.Configured is null ? await LocalRedisServer.StartAsync() : null;
        var options = FleetHarness.Options.Quick;

        var results = await FleetHarness.RunAsync(options, LocalRedisServer.Configured ?? own!.Configuration);

        var local = results[0];
        var shared = results[1];
        output.WriteLine(local.ToString());
        output.WriteLine(shared.ToString());

        // The problem: four limiters at Q each send more in a second than one limiter of Q could, and most of it is refused.
        Assert.True(local.MaxPerWindow > local.Bound, $"Four limiters at Q each should overrun what one allows: {local}");
        Assert.True(local.ThrottledPercent > 30, $"Four limiters at Q each should be throttled: {local}");

        // Through Redis the fleet sends no more than one limiter of Q allows in any second, as the emulator stamped it.
        Assert.True(shared.MaxPerWindow <= shared.Bound, $"The fleet sent more than burst + Q·(1 s + L): {shared}");

        // It keeps the quota busy, by the emulator's decisions over the interval every worker was sending, and no more
        // than the service's bucket can accept over that interval.
        var floor = RealClock.GoodputFloor(0.9, shared.Evidence.ExcessLag, shared.Evidence.Steady);
        Assert.True(shared.Goodput >= floor && shared.Goodput <= shared.GoodputCeiling(options.Quota), $"Goodput outside [{floor:0.000}, {shared.GoodputCeiling(options.Quota):0.000}]: {shared}");
        // At rate = quota nothing is throttled but what senders owed while the machine stalled them past the jitter allowance.
        var throttleBound = RealClock.ThrottleBound(options.Quota, shared.Evidence.ExcessLag);
        Assert.True(shared.Throttled <= throttleBound, $"{shared.Throttled} throttled attempts, bound {throttleBound:0.0}: {shared}");
        Assert.InRange(shared.RoundTripsPerAcquire, 1, 1.01);
        Assert.Equal(0, shared.Workers.Sum(w => w.Failed));
        Assert.Equal(options.Processes, shared.Workers.Count);

        // One bucket, named after the account, in every process, through every renewal of every session: one Redis key.
        Assert.Equal([$"SES:us-east-1:{RenewingRoleSession.FleetAccount}"], shared.Workers.SelectMany(w => w.Buckets).Distinct());
        Assert.All(shared.Workers, w => Assert.Single(w.Buckets));
        Assert.True(shared.Workers.All(w => w.Seconds >= 3 * RenewingRoleSession.RenewalInterval.TotalSeconds), "Each session should have renewed several times while sending.");
    }
}
