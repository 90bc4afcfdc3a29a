using System;
using System.Linq;
using System.Threading.Tasks;
using ThrottleKit.Emulator;

namespace ThrottleKit.Harness.Tests;

/// <summary>
/// Four separate processes against one emulated quota, first with a limiter each, then sharing a bucket in Redis
/// (THROTTLEKIT_REDIS, which <c>.ci/run</c> starts, or a redis-server of the test's own).
/// </summary>
[Collection(HarnessRuns.Name)]
public sealed class FleetSmokeTests
{
    [Fact]
    public async Task Four_processes_drown_in_throttles_with_a_limiter_each_and_keep_to_the_quota_through_Redis()
    {
        await using var own = LocalRedisServer.Configured is null ? await LocalRedisServer.StartAsync() : null;
        var options = FleetHarness.Options.Quick;

        var results = await FleetHarness.RunAsync(options, LocalRedisServer.Configured ?? own!.Configuration);

        var local = results[0];
        var shared = results[1];
        Assert.True(local.ThrottledPercent > 30, $"Four limiters at Q each should overrun the quota: {local}");
        Assert.True(local.MaxPerWindow > 2 * options.Quota * 1.5, $"{local}");

        // Through Redis the fleet sends no more than burst + Q·T in any second (plus loopback jitter) and keeps Q busy.
        Assert.InRange(shared.MaxPerWindow, 0, options.Quota + options.Quota + 3);
        Assert.True(shared.ThrottledPercent < 2, $"{shared}");
        Assert.InRange(shared.Goodput, 0.9, 1.05);
        Assert.InRange(shared.RoundTripsPerAcquire, 1, 1.01);
        Assert.Equal(0, shared.Workers.Sum(w => w.Failed));
        Assert.Equal(options.Processes, shared.Workers.Count);
    }
}
