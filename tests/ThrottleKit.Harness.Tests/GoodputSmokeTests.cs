using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using ThrottleKit.Testing;
using Xunit.Abstractions;

namespace ThrottleKit.Harness.Tests;

/// <summary>
/// The goodput harness's quick mode, run in the normal test command: every strategy, real SDK clients, a real emulator.
/// Real clock: bounds come from the interval, lag and timestamps the run measured (docs/testing.md).
/// </summary>
[Collection(HarnessRuns.Name)]
[Trait("Category", RealClock.Category)]
public sealed class GoodputSmokeTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _output = Directory.CreateTempSubdirectory("throttlekit-goodput-").FullName;

    public void Dispose() => Directory.Delete(_output, recursive: true);

    [Fact]
    public async Task The_quick_run_compares_all_strategies_and_writes_its_table_csv_and_plot()
    {
        var options = GoodputOptions.Quick;
        var results = await GoodputHarness.RunAsync(options, Strategies.All);
        GoodputReport.Write(_output, options, results);
        foreach (var result in results)
        {
            output.WriteLine(result.ToString());
        }

        Assert.Equal(Strategies.All.Select(s => s.Name), results.Select(r => r.Strategy));
        var sdk = results[0];
        var throttleKit = results[^1];

        // The problem: the SDK alone, 64 senders against 50/s, fails calls; ThrottleKit fails none and keeps the quota busy.
        Assert.True(sdk.FailedCalls > 0, $"The SDK's default retry failed no call: {sdk}");
        Assert.Equal(0, throttleKit.FailedCalls);
        var ceiling = RealClock.GoodputCeiling(options.Burst, options.Quota, throttleKit.Evidence.Steady, throttleKit.Evidence.Steady);
        var floor = RealClock.GoodputFloor(0.9, throttleKit.Evidence.ExcessLag, throttleKit.Evidence.Steady);
        Assert.True(throttleKit.Goodput >= floor && throttleKit.Goodput <= ceiling, $"Goodput outside [{floor:0.000}, {ceiling:0.000}]: {throttleKit}");
        Assert.True(throttleKit.ThrottledPercent < sdk.ThrottledPercent, $"{throttleKit} against {sdk}");

        // At rate = quota nothing is throttled but what senders owed while the machine stalled them past the jitter allowance.
        var throttled = (int)Math.Round(throttleKit.ThrottledPercent * throttleKit.Attempts / 100);
        var throttleBound = RealClock.ThrottleBound(options.Quota, throttleKit.Evidence.ExcessLag);
        Assert.True(throttled <= throttleBound, $"{throttled} throttled attempts, bound {throttleBound:0.0}: {throttleKit}");

        // ThrottleKit never sent faster than its limiter allows, as the emulator stamped it.
        var bound = RealClock.WindowBound(options.Burst, options.Quota, TimeSpan.FromSeconds(1), throttleKit.Evidence.Allowance);
        Assert.True(throttleKit.Evidence.BusiestSecond.Count <= bound, $"Busiest second over {bound:0.0}: {throttleKit}");

        Assert.Contains("| (d) ThrottleKit, known rate |", await File.ReadAllTextAsync(Path.Combine(_output, "goodput.md")), StringComparison.Ordinal);
        Assert.Equal(results.Count + 1, (await File.ReadAllLinesAsync(Path.Combine(_output, "goodput.csv"))).Length);
        foreach (var plot in new[] { "goodput-accepted.svg", "goodput-throttled.svg" })
        {
            var svg = await File.ReadAllTextAsync(Path.Combine(_output, plot));
            Assert.True(svg.Length > 10_000 && svg.Contains("<svg", StringComparison.Ordinal), $"{plot} is not a plot.");
            Assert.Contains("(d) ThrottleKit, known rate", svg, StringComparison.Ordinal);   // a line per strategy, named in the legend
        }
    }
}
