using System;
using System.IO;
using System.Linq;
using ThrottleKit.Harness;

// dotnet run -c Release --project benchmarks/ThrottleKit.Harness -- goodput [--quick] [--adaptive-only | --long] [--seconds S] [--redis HOST:PORT] [--output DIR]
// dotnet run -c Release --project benchmarks/ThrottleKit.Harness -- accuracy [--quick] [--output DIR]
// dotnet run -c Release --project benchmarks/ThrottleKit.Harness -- fleet --redis HOST:PORT [--quick] [--output DIR]
// dotnet run -c Release --project benchmarks/ThrottleKit.Harness -- cold-start [--quick] [--output DIR]
// dotnet run -c Release --project benchmarks/ThrottleKit.Harness -- priorities [--quick] [--output DIR]
switch (args.FirstOrDefault())
{
    case "fleet-worker":
        return await FleetWorker.RunAsync(args[1..]);
    case "cold-worker":
        return await ColdStart.RunWorkerAsync(args[1..]);
    case "sdk-rows":
        return await NewestSdkRows.RunChildAsync(args[1..]);
}

var command = args.FirstOrDefault() ?? "goodput";
var quick = args.Contains("--quick");
var outputIndex = Array.IndexOf(args, "--output");
var output = outputIndex >= 0 && outputIndex + 1 < args.Length ? args[outputIndex + 1] : Path.Combine("artifacts", "harness");
var redisIndex = Array.IndexOf(args, "--redis");
var redis = redisIndex >= 0 && redisIndex + 1 < args.Length ? args[redisIndex + 1] : Environment.GetEnvironmentVariable("THROTTLEKIT_REDIS");

switch (command)
{
    case "goodput":
        // --long: row (h), the adaptive rate alone against an unknown quota for 120 s.
        var options = quick ? GoodputOptions.Quick : args.Contains("--long") ? new GoodputOptions { Duration = TimeSpan.FromSeconds(120) } : new GoodputOptions();
        var secondsIndex = Array.IndexOf(args, "--seconds");
        if (secondsIndex >= 0 && secondsIndex + 1 < args.Length)
        {
            options = options with { Duration = TimeSpan.FromSeconds(double.Parse(args[secondsIndex + 1], System.Globalization.CultureInfo.InvariantCulture)) };
        }

        if (args.Contains("--long"))
        {
            var longResults = await GoodputHarness.RunAsync(options, Strategies.WithAdaptive.Where(s => s.Name.Contains("adaptive", StringComparison.Ordinal) && s.Name.Contains("ThrottleKit", StringComparison.Ordinal)), Console.WriteLine);
            GoodputReport.Write(output, options, longResults, "adaptive-120s");
            Console.WriteLine(GoodputReport.Markdown(options, longResults));
            return 0;
        }


        // --adaptive-only: rows (e) and (f) for ThrottleKit alone, for tuning the adaptive rate.
        var adaptiveOnly = args.Contains("--adaptive-only");
        var strategies = quick ? Strategies.All : Strategies.WithAdaptive;
        var results = (await GoodputHarness.RunAsync(options, adaptiveOnly ? strategies.Where(s => s.Name.Contains("adaptive", StringComparison.Ordinal) && s.Name.Contains("ThrottleKit", StringComparison.Ordinal)) : strategies, Console.WriteLine)).ToList();
        if (!quick && !adaptiveOnly)
        {
            // The SDK's rows again on the newest AWSSDK.Core, each placed under its row on the version this process runs.
            foreach (var row in await NewestSdkRows.RunAsync(options))
            {
                Console.WriteLine(row);
                results.Insert(results.FindIndex(r => r.Strategy[..3] == row.Strategy[..3]) + 1, row);
            }

            // (g) the same senders spread over four processes that share one bucket through Redis.
            if (redis is not null)
            {
                var fleetRow = await FleetHarness.RunGoodputRowAsync(options, redis);
                Console.WriteLine(fleetRow);
                results.Add(fleetRow);
            }
            else
            {
                Console.WriteLine("No Redis given (--redis HOST:PORT or THROTTLEKIT_REDIS): row (g), the fleet, left out.");
            }
        }

        GoodputReport.Write(output, options, results);
        Console.WriteLine();
        Console.WriteLine(GoodputReport.Markdown(options, results));
        if (!quick)
        {
            // (f): the quota moves under the client: 50/s, then 20/s at 10 s, then 80/s at 20 s.
            var changing = new GoodputOptions
            {
                Duration = TimeSpan.FromSeconds(30),
                QuotaChanges = [new QuotaChange(TimeSpan.FromSeconds(10), 20, 20), new QuotaChange(TimeSpan.FromSeconds(20), 80, 80)],
            };
            var changingResults = await GoodputHarness.RunAsync(changing, adaptiveOnly ? Strategies.ChangingQuota.Where(s => s.Name.Contains("ThrottleKit", StringComparison.Ordinal)) : Strategies.ChangingQuota, Console.WriteLine);
            GoodputReport.Write(output, changing, changingResults, "quota-change");
            Console.WriteLine(GoodputReport.Markdown(changing, changingResults));
            Console.WriteLine(GoodputReport.ConvergenceMarkdown(changing, changingResults));
        }

        Console.WriteLine($"Wrote the tables, CSVs and plots to {Path.GetFullPath(output)}");
        return 0;
    case "accuracy":
        var table = await RateAccuracy.RunAsync(quick);
        Directory.CreateDirectory(output);
        await File.WriteAllTextAsync(Path.Combine(output, "accuracy.md"), table);
        Console.WriteLine(table);
        return 0;
    case "fleet":
        redis ??= "127.0.0.1:6379";
        var fleetOptions = quick ? FleetHarness.Options.Quick : FleetHarness.Options.Full;
        var fleet = await FleetHarness.RunAsync(fleetOptions, redis, Console.WriteLine);
        var capacity = await FleetHarness.MeasureCapacityAsync(redis, concurrency: 64, TimeSpan.FromSeconds(quick ? 2 : 10));
        var fleetTable = FleetHarness.Markdown(fleetOptions, fleet)
            + $"\nBackend ceiling, one process, 64 acquires in flight, rate no limit: {capacity.AcquiresPerSecond:0} acquires/s, {capacity.RoundTripsPerAcquire:0.000} round trips per acquire.\n";
        Directory.CreateDirectory(output);
        await File.WriteAllTextAsync(Path.Combine(output, "fleet.md"), fleetTable);
        Console.WriteLine(fleetTable);
        return 0;
    case "cold-start":
        var coldStart = await ColdStart.RunAsync(processes: quick ? 2 : 5, TimeSpan.FromSeconds(quick ? 3 : 10), Console.WriteLine);
        Directory.CreateDirectory(output);
        await File.WriteAllTextAsync(Path.Combine(output, "cold-start.md"), coldStart);
        Console.WriteLine(coldStart);
        return 0;
    case "priorities":
        var priorityTable = await PriorityHarness.RunAsync(quick, Console.WriteLine);
        Directory.CreateDirectory(output);
        await File.WriteAllTextAsync(Path.Combine(output, "priorities.md"), priorityTable);
        Console.WriteLine(priorityTable);
        return 0;
    default:
        Console.Error.WriteLine($"Unknown command '{command}'. Use: goodput | accuracy | fleet | cold-start | priorities, with --quick and --output DIR.");
        return 2;
}
