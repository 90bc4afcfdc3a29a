using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace ThrottleKit.Packaging.Tests;

/// <summary>
/// The five packages, packed once for the collection into a temporary feed under a version that exists nowhere else, and a
/// <c>nuget.config</c> that adds that feed to the machine's own sources; everything is removed afterwards, the packages'
/// folders in the machine's package cache included.
/// </summary>
public sealed class PackedFeed : IAsyncLifetime
{
    public static readonly string[] PackageIds = ["ThrottleKit", "ThrottleKit.Aws", "ThrottleKit.Redis", "ThrottleKit.MailKit", "ThrottleKit.Testing"];

    public string Work { get; } = Directory.CreateTempSubdirectory("throttlekit-pack-").FullName;

    public string Version { get; } = string.Create(CultureInfo.InvariantCulture, $"0.0.0-ci.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}");

    public string Packages => Path.Combine(Work, "packages");

    public string Root { get; } = RepositoryRoot();

    public async Task InitializeAsync()
    {
        foreach (var id in PackageIds)
        {
            await DotnetAsync(Root, "pack", Path.Combine(Root, "src", id, id + ".csproj"), "-c", "Release", "-o", Packages, "--artifacts-path", Path.Combine(Work, "artifacts"), $"-p:Version={Version}");
        }
    }

    public Task DisposeAsync()
    {
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var folder in PackageIds.Select(id => Path.Combine(cache, id.ToLowerInvariant(), Version)).Append(Work))
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

        return Task.CompletedTask;
    }

    /// <summary>A fresh folder outside the repository whose builds see the packed feed beside the machine's sources.</summary>
    public string NewProjectFolder(string name)
    {
        var folder = Path.Combine(Work, name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="throttlekit-under-test" value="{Packages}" />
              </packageSources>
            </configuration>
            """);
        return folder;
    }

    public static async Task<string> DotnetAsync(string workingDirectory, params string[] arguments)
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
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(8));
        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{output}");
        return output;
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
}

[CollectionDefinition(Name)]
public sealed class Packed : ICollectionFixture<PackedFeed>
{
    public const string Name = "Packed";
}
