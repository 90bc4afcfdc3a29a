using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using System.Threading.Tasks;

namespace ThrottleKit.Harness;

/// <summary>
/// Rows (a) and (b) on the newest AWSSDK.Core, in the same run: a process loads one AWSSDK.Core, so the harness starts its
/// twin build (<c>ThrottleKit.Harness.NewestSdk</c>, the same sources on AWSSDK.Core 4.1.0) as a child, which runs the SDK's
/// two retry modes against an emulator of its own with the same settings and prints the rows as JSON.
/// </summary>
public static class NewestSdkRows
{
    /// <summary>Gets the twin build's path, recorded at build time; <see langword="null"/> inside the twin itself.</summary>
    private static string? TwinPath => typeof(NewestSdkRows).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == "NewestSdkHarness")?.Value;

    /// <summary>Runs the SDK rows in the twin build.</summary>
    /// <param name="options">The run's settings, passed to the child as they are.</param>
    /// <returns>The rows, named with the AWSSDK.Core the child loaded.</returns>
    public static async Task<IReadOnlyList<GoodputResult>> RunAsync(GoodputOptions options)
    {
        var twin = TwinPath ?? throw new InvalidOperationException("This build has no twin on the newest SDK.");
        if (!File.Exists(twin))
        {
            throw new FileNotFoundException($"Build benchmarks/ThrottleKit.Harness.NewestSdk first (the harness's build does): {twin} is missing.", twin);
        }

        var output = await ChildProcess.RunAsync(twin, ["sdk-rows", JsonSerializer.Serialize(options)], "The newest-SDK harness").ConfigureAwait(false);
        return ChildProcess.LastJsonLine<GoodputResult[]>(output);
    }

    /// <summary>The child's side: <c>sdk-rows OPTIONS_JSON</c> runs rows (a) and (b) and prints them as one JSON line.</summary>
    /// <param name="args">The arguments after <c>sdk-rows</c>.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunChildAsync(string[] args)
    {
        var options = JsonSerializer.Deserialize<GoodputOptions>(args[0])!;
        var results = await GoodputHarness.RunAsync(options, [Strategies.SdkStandard, Strategies.SdkAdaptive], Console.Error.WriteLine).ConfigureAwait(false);
        Console.WriteLine(JsonSerializer.Serialize(results));
        return 0;
    }
}
