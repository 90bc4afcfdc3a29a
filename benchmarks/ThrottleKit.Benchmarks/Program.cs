using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/ThrottleKit.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
