using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using ScottPlot;

namespace ThrottleKit.Harness;

/// <summary>Writes a goodput run as a markdown table, a CSV and a PNG plot of accepted and throttled attempts per second.</summary>
public static class GoodputReport
{
    /// <summary>The markdown table.</summary>
    /// <param name="options">The run's settings.</param>
    /// <param name="results">The rows.</param>
    /// <returns>The table, with a heading line giving the settings.</returns>
    public static string Markdown(GoodputOptions options, IReadOnlyList<GoodputResult> results)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(results);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Q = {options.Quota}/s, burst {options.Burst}, {options.Senders} senders, {options.Duration.TotalSeconds:0} s per strategy (calls in flight cut off {options.Grace.TotalSeconds:0} s after). Goodput counts accepted calls after the first second (the initial burst).");
        text.AppendLine();
        text.AppendLine("| strategy | goodput / Q | throttled attempts | failed calls | unfinished calls | calls | HTTP attempts | p50 latency | p99 latency |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Strategy} | {r.Goodput:0.000} | {r.ThrottledPercent:0.0}% | {r.FailedCalls} | {r.UnfinishedCalls} | {r.Calls} | {r.Attempts} | {r.P50.TotalMilliseconds:0} ms | {r.P99.TotalMilliseconds:0} ms |");
        }

        return text.ToString();
    }

    /// <summary>Writes <c>goodput.md</c>, <c>goodput.csv</c> and <c>goodput.png</c> into <paramref name="directory"/>.</summary>
    /// <param name="directory">The output folder; created if missing.</param>
    /// <param name="options">The run's settings.</param>
    /// <param name="results">The rows.</param>
    public static void Write(string directory, GoodputOptions options, IReadOnlyList<GoodputResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "goodput.md"), Markdown(options, results));

        var csv = new StringBuilder("strategy,goodput_over_q,throttled_percent,failed_calls,unfinished_calls,calls,http_attempts,p50_ms,p99_ms\n");
        foreach (var r in results)
        {
            csv.AppendLine(CultureInfo.InvariantCulture, $"\"{r.Strategy}\",{r.Goodput:0.0000},{r.ThrottledPercent:0.00},{r.FailedCalls},{r.UnfinishedCalls},{r.Calls},{r.Attempts},{r.P50.TotalMilliseconds:0.0},{r.P99.TotalMilliseconds:0.0}");
        }

        File.WriteAllText(Path.Combine(directory, "goodput.csv"), csv.ToString());
        Plot(Path.Combine(directory, "goodput.png"), options, results);
    }

    private static void Plot(string path, GoodputOptions options, IReadOnlyList<GoodputResult> results)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        var accepted = multiplot.GetPlot(0);
        var throttled = multiplot.GetPlot(1);
        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < results.Count; i++)
        {
            var xs = results[i].PerSecond.Select(s => (double)s.Second).ToArray();
            var a = accepted.Add.Scatter(xs, results[i].PerSecond.Select(s => (double)s.Accepted).ToArray(), palette.GetColor(i));
            a.LegendText = results[i].Strategy;
            var t = throttled.Add.Scatter(xs, results[i].PerSecond.Select(s => (double)s.Throttled).ToArray(), palette.GetColor(i));
            t.LegendText = results[i].Strategy;
        }

        var quota = accepted.Add.HorizontalLine(options.Quota);
        quota.LegendText = "quota Q";
        quota.LinePattern = LinePattern.Dashed;
        accepted.Title("Accepted requests per second");
        accepted.YLabel("accepted / s");
        accepted.ShowLegend(Alignment.LowerRight);
        throttled.Title("Throttled attempts per second");
        throttled.XLabel("seconds since start");
        throttled.YLabel("throttled / s");
        throttled.ShowLegend(Alignment.UpperRight);
        multiplot.SavePng(path, 1000, 900);
    }
}
