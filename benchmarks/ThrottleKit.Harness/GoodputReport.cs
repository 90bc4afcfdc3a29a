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

    /// <summary>Writes <c>{name}.md</c>, <c>{name}.csv</c> and SVG plots (<c>{name}-accepted.svg</c>, <c>{name}-throttled.svg</c>) into <paramref name="directory"/>.</summary>
    /// <param name="directory">The output folder; created if missing.</param>
    /// <param name="options">The run's settings.</param>
    /// <param name="results">The rows.</param>
    /// <param name="name">The files' name.</param>
    public static void Write(string directory, GoodputOptions options, IReadOnlyList<GoodputResult> results, string name = "goodput")
    {
        ArgumentNullException.ThrowIfNull(results);
        Directory.CreateDirectory(directory);
        var markdown = Markdown(options, results);
        if (options.QuotaChanges.Count > 0)
        {
            markdown += Environment.NewLine + ConvergenceMarkdown(options, results);
        }

        File.WriteAllText(Path.Combine(directory, name + ".md"), markdown);

        var csv = new StringBuilder("strategy,goodput_over_q,throttled_percent,failed_calls,unfinished_calls,calls,http_attempts,p50_ms,p99_ms\n");
        foreach (var r in results)
        {
            csv.AppendLine(CultureInfo.InvariantCulture, $"\"{r.Strategy}\",{r.Goodput:0.0000},{r.ThrottledPercent:0.00},{r.FailedCalls},{r.UnfinishedCalls},{r.Calls},{r.Attempts},{r.P50.TotalMilliseconds:0.0},{r.P99.TotalMilliseconds:0.0}");
        }

        File.WriteAllText(Path.Combine(directory, name + ".csv"), csv.ToString());
        Plot(directory, name, options, results);
        if (results.Any(r => r.RateSamples.Count > 0))
        {
            PlotRates(Path.Combine(directory, name + "-rate.svg"), options, results);
        }
    }

    /// <summary>Seconds from each quota change until the accepted rate was within 5% of the new quota.</summary>
    /// <param name="options">The run's settings.</param>
    /// <param name="results">The rows.</param>
    /// <returns>A markdown table.</returns>
    public static string ConvergenceMarkdown(GoodputOptions options, IReadOnlyList<GoodputResult> results)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(results);
        var text = new StringBuilder("| strategy |");
        foreach (var change in options.QuotaChanges)
        {
            text.Append(CultureInfo.InvariantCulture, $" to {change.Quota}/s at {change.At.TotalSeconds:0} s |");
        }

        text.AppendLine().Append("|---|").AppendLine(string.Concat(options.QuotaChanges.Select(_ => "---:|")));
        foreach (var r in results)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {r.Strategy} |");
            foreach (var seconds in r.ConvergenceSeconds)
            {
                text.Append(seconds is { } s ? string.Create(CultureInfo.InvariantCulture, $" {s:0} s |") : " never |");
            }

            text.AppendLine();
        }

        return text.ToString();
    }

    private static void PlotRates(string path, GoodputOptions options, IReadOnlyList<GoodputResult> results)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < results.Count; i++)
        {
            if (results[i].RateSamples.Count > 0)
            {
                var line = plot.Add.ScatterLine(results[i].RateSamples.Select(s => s.Seconds).ToArray(), results[i].RateSamples.Select(s => s.PermitsPerSecond).ToArray(), palette.GetColor(i));
                line.LegendText = $"{results[i].Strategy}: client rate";
            }

            var accepted = plot.Add.Scatter(results[i].PerSecond.Select(s => s.Second + 0.5).ToArray(), results[i].PerSecond.Select(s => (double)s.Accepted).ToArray(), palette.GetColor(i));
            accepted.LineWidth = 0;
            accepted.MarkerSize = 6;
            accepted.LegendText = $"{results[i].Strategy}: accepted/s";
        }

        var steps = new List<(double X, double Y)> { (0, options.Quota) };
        foreach (var change in options.QuotaChanges.OrderBy(c => c.At))
        {
            steps.Add((change.At.TotalSeconds, steps[^1].Y));
            steps.Add((change.At.TotalSeconds, change.Quota));
        }

        steps.Add(((options.Duration + options.Grace).TotalSeconds, steps[^1].Y));
        var quota = plot.Add.ScatterLine(steps.Select(p => p.X).ToArray(), steps.Select(p => p.Y).ToArray(), Colors.Black);
        quota.LinePattern = LinePattern.Dashed;
        quota.LegendText = "true quota";
        plot.Title("Adaptive rate against the true quota");
        plot.XLabel("seconds since start");
        plot.YLabel("requests / s");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SaveSvg(path, 1000, 600);
    }

    /// <summary>Two SVG plots (SVG, so a change diffs and any package page renders it): accepted, then throttled, per second, a line per strategy.</summary>
    private static void Plot(string directory, string name, GoodputOptions options, IReadOnlyList<GoodputResult> results)
    {
        var palette = new ScottPlot.Palettes.Category10();
        foreach (var (suffix, title, yLabel, count, legend) in new (string, string, string, Func<SecondCounts, int>, Alignment)[]
        {
            ("accepted", "Accepted requests per second", "accepted / s", s => s.Accepted, Alignment.LowerRight),
            ("throttled", "Throttled attempts per second", "throttled / s", s => s.Throttled, Alignment.UpperRight),
        })
        {
            var plot = new Plot();
            for (var i = 0; i < results.Count; i++)
            {
                var line = plot.Add.Scatter(results[i].PerSecond.Select(s => (double)s.Second).ToArray(), results[i].PerSecond.Select(s => (double)count(s)).ToArray(), palette.GetColor(i));
                line.LegendText = results[i].Strategy;
            }

            if (suffix == "accepted")
            {
                var quota = plot.Add.HorizontalLine(options.Quota);
                quota.LegendText = "quota Q";
                quota.LinePattern = LinePattern.Dashed;
            }

            plot.Title(title);
            plot.XLabel("seconds since start");
            plot.YLabel(yLabel);
            plot.ShowLegend(legend);
            plot.SaveSvg(Path.Combine(directory, $"{name}-{suffix}.svg"), 1000, 450);
        }
    }
}
