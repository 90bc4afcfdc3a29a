using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace ThrottleKit.Harness.Tests;

/// <summary>The goodput harness's quick mode, run in the normal test command: every strategy, real SDK clients, a real emulator.</summary>
[Collection(HarnessRuns.Name)]
public sealed class GoodputSmokeTests : IDisposable
{
    private readonly string _output = Directory.CreateTempSubdirectory("throttlekit-goodput-").FullName;

    public void Dispose() => Directory.Delete(_output, recursive: true);

    [Fact]
    public async Task The_quick_run_compares_all_strategies_and_writes_its_table_csv_and_plot()
    {
        var results = await GoodputHarness.RunAsync(GoodputOptions.Quick, Strategies.All);
        GoodputReport.Write(_output, GoodputOptions.Quick, results);

        Assert.Equal(Strategies.All.Select(s => s.Name), results.Select(r => r.Strategy));
        var sdk = results[0];
        var throttleKit = results[^1];

        // The problem: the SDK alone, 64 senders against 50/s, fails calls; ThrottleKit fails none and keeps the quota busy.
        Assert.True(sdk.FailedCalls > 0, $"The SDK's default retry failed no call: {sdk}");
        Assert.Equal(0, throttleKit.FailedCalls);
        Assert.InRange(throttleKit.Goodput, 0.9, 1.05);
        Assert.True(throttleKit.ThrottledPercent < sdk.ThrottledPercent);

        Assert.Contains("| (d) ThrottleKit, known rate |", await File.ReadAllTextAsync(Path.Combine(_output, "goodput.md")), StringComparison.Ordinal);
        Assert.Equal(results.Count + 1, (await File.ReadAllLinesAsync(Path.Combine(_output, "goodput.csv"))).Length);
        var png = await File.ReadAllBytesAsync(Path.Combine(_output, "goodput.png"));
        Assert.True(png.Length > 10_000 && png[1] == (byte)'P' && png[2] == (byte)'N' && png[3] == (byte)'G', "goodput.png is not a plot.");
    }
}
