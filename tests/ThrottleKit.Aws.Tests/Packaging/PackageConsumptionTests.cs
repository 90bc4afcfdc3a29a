using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Threading.Tasks;
using System.Xml.Linq;
using ThrottleKit.Testing;

namespace ThrottleKit.Aws.Tests.Packaging;

/// <summary>
/// Packs ThrottleKit and ThrottleKit.Aws into a temporary folder and builds a fresh console app outside the solution
/// that references them from there (under a version that exists nowhere else), then runs it against the emulator.
/// </summary>
public sealed class PackageConsumptionTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("throttlekit-pack-").FullName;
    private readonly string _version = string.Create(CultureInfo.InvariantCulture, $"0.0.0-ci.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}");

    public void Dispose()
    {
        // The packages were restored into the machine's package cache under a version made for this run alone.
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var folder in new[] { _work, Path.Combine(cache, "throttlekit", _version), Path.Combine(cache, "throttlekit.aws", _version) })
        {
            try
            {
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
            catch (IOException)
            {
            }
        }
    }

    [Fact]
    [Trait("Category", RealClock.Category)]
    public async Task The_packages_restore_build_and_run_in_a_project_outside_the_solution()
    {
        var root = RepositoryRoot();
        var packages = Path.Combine(_work, "packages");
        foreach (var project in new[] { "src/ThrottleKit/ThrottleKit.csproj", "src/ThrottleKit.Aws/ThrottleKit.Aws.csproj" })
        {
            await DotnetAsync(root, "pack", Path.Combine(root, project), "-c", "Release", "-o", packages, "--artifacts-path", Path.Combine(_work, "artifacts"), $"-p:Version={_version}");
        }

        AssertPackage(Path.Combine(packages, $"ThrottleKit.{_version}.nupkg"));
        AssertPackage(Path.Combine(packages, $"ThrottleKit.Aws.{_version}.nupkg"));
        Assert.True(File.Exists(Path.Combine(packages, $"ThrottleKit.Aws.{_version}.snupkg")));

        var consumer = Path.Combine(_work, "consumer");
        Directory.CreateDirectory(consumer);
        await File.WriteAllTextAsync(Path.Combine(consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="throttlekit-under-test" value="{packages}" />
              </packageSources>
            </configuration>
            """);
        await File.WriteAllTextAsync(Path.Combine(consumer, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="ThrottleKit.Aws" Version="{_version}" />
                <PackageReference Include="AWSSDK.SecurityToken" Version="4.0.101.10" />
                <PackageReference Include="AWSSDK.Extensions.NETCore.Setup" Version="4.0.102.10" />
                <PackageReference Include="Microsoft.Extensions.DependencyInjection" Version="10.0.15" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(consumer, "Program.cs"), """
            using Amazon;
            using Amazon.Extensions.NETCore.Setup;
            using Amazon.Runtime;
            using Amazon.SecurityToken;
            using Amazon.SecurityToken.Model;
            using Microsoft.Extensions.DependencyInjection;
            using Polly;
            using ThrottleKit;
            using ThrottleKit.Aws;

            var services = new ServiceCollection();
            services.AddDefaultAWSOptions(new AWSOptions
            {
                Credentials = new BasicAWSCredentials("test", "test"),
                Region = RegionEndpoint.USEast1,
                DefaultClientConfig = { ServiceURL = args[0], AuthenticationRegion = "us-east-1", IgnoreConfiguredEndpointUrls = true },
            });
            services.AddAWSService<IAmazonSecurityTokenService>();
            services.AddThrottledAwsClients(o => o.Services[AwsServiceKeys.SimpleEmail].RateLimit.PermitsPerSecond = 5)
                .MapServiceId("STS", AwsServiceKeys.SimpleEmail);
            await using var provider = services.BuildServiceProvider();
            var client = provider.GetRequiredService<IAmazonSecurityTokenService>();
            var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.GetCallerIdentityAsync(new GetCallerIdentityRequest())));
            var executor = provider.GetRequiredKeyedService<IThrottledExecutor>("SES");

            // The core's strategy in a pipeline of the user's own.
            using var limiter = new GcraRateLimiter(new GcraRateLimiterOptions { PermitsPerSecond = 100 });
            var pipeline = new ResiliencePipelineBuilder()
                .AddThrottling(new ThrottlingStrategyOptions { RateLimiter = limiter, Classifier = SimpleEmailThrottlingClassifier.Instance })
                .AddTimeout(TimeSpan.FromSeconds(10))
                .Build();
            var viaPolly = await pipeline.ExecuteAsync(async ct => await client.GetCallerIdentityAsync(new GetCallerIdentityRequest(), ct));
            Console.WriteLine($"delivered={results.Length} account={results[0].Account} executor={executor is IThrottledExecutor} polly={viaPolly.Account}");
            """);

        await using var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { RatePerSecond = 5, Burst = 5 });
        var output = await DotnetAsync(consumer, "run", "--project", Path.Combine(consumer, "Consumer.csproj"), "--", emulator.Endpoint.ToString());

        Assert.Contains("delivered=10 account=123456789012 executor=True polly=123456789012", output, StringComparison.Ordinal);
        Assert.Equal(11, emulator.Attempts.Count(a => a.Outcome == EmulatorOutcome.Accepted));

        // The packaged limiter kept to 5/s: without it the ten calls, and the SDK's retries of the five throttled, arrive at once.
        var sent = emulator.BusiestWindowOfAttempts(TimeSpan.FromSeconds(1));
        var bound = RealClock.WindowBound(5, 5, TimeSpan.FromSeconds(1), RealClock.LateTimestampAllowance(emulator.SchedulingLag()));
        Assert.True(sent.Count <= bound, $"Sent {sent}, bound {bound:0.0}: the packaged limiter did not keep to the quota. {emulator.Describe()}");
    }

    private static void AssertPackage(string path)
    {
        using var archive = ZipFile.OpenRead(path);
        var nuspec = archive.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = nuspec.Open();
        var metadata = XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string? Value(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;

        Assert.Equal("MIT", Value("license"));
        Assert.Equal("README.md", Value("readme"));
        Assert.False(string.IsNullOrWhiteSpace(Value("description")));
        Assert.Contains("throttling", Value("tags"), StringComparison.Ordinal);
        Assert.NotNull(metadata.Elements().SingleOrDefault(e => e.Name.LocalName == "repository")?.Attribute("url"));
        Assert.Contains(archive.Entries, e => e.FullName == "README.md");
        foreach (var framework in new[] { "net10.0", "netstandard2.0" })
        {
            Assert.Contains(archive.Entries, e => e.FullName.StartsWith($"lib/{framework}/", StringComparison.Ordinal) && e.FullName.EndsWith(".xml", StringComparison.Ordinal));
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ThrottleKit.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (with ThrottleKit.sln) was not found above the test assembly.");
    }

    private static async Task<string> DotnetAsync(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test host runs inside MSBuild's environment; a child build must start from a clean one.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{output}");
        return output;
    }
}
