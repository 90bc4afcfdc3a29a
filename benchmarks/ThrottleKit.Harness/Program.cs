using System;
using System.IO;
using System.Linq;
using ThrottleKit.Harness;

// dotnet run -c Release --project benchmarks/ThrottleKit.Harness -- goodput [--quick] [--output DIR]
// dotnet run -c Release --project benchmarks/ThrottleKit.Harness -- accuracy [--quick] [--output DIR]
var command = args.FirstOrDefault() ?? "goodput";
var quick = args.Contains("--quick");
var outputIndex = Array.IndexOf(args, "--output");
var output = outputIndex >= 0 && outputIndex + 1 < args.Length ? args[outputIndex + 1] : Path.Combine("artifacts", "harness");

switch (command)
{
    case "goodput":
        var options = quick ? GoodputOptions.Quick : new GoodputOptions();
        var results = await GoodputHarness.RunAsync(options, Strategies.All, Console.WriteLine);
        GoodputReport.Write(output, options, results);
        Console.WriteLine();
        Console.WriteLine(GoodputReport.Markdown(options, results));
        Console.WriteLine($"Wrote goodput.md, goodput.csv and goodput.png to {Path.GetFullPath(output)}");
        return 0;
    case "accuracy":
        var table = await RateAccuracy.RunAsync(quick);
        Directory.CreateDirectory(output);
        await File.WriteAllTextAsync(Path.Combine(output, "accuracy.md"), table);
        Console.WriteLine(table);
        return 0;
    default:
        Console.Error.WriteLine($"Unknown command '{command}'. Use: goodput | accuracy, with --quick and --output DIR.");
        return 2;
}
