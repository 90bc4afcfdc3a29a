using System;
using System.IO;
using System.Threading.Tasks;

namespace ThrottleKit.Packaging.Tests;

/// <summary>
/// samples/ThrottleKit.Testing.Sample, a user's own test project outside the solution, run against the packed packages; and
/// README's example of it is it, word for word.
/// </summary>
[Collection(Packed.Name)]
public sealed class SampleTestProjectTests(PackedFeed feed)
{
    [Fact]
    public async Task The_sample_test_project_passes_on_the_packed_packages()
    {
        var project = feed.NewProjectFolder("sample");
        foreach (var file in Directory.GetFiles(Path.Combine(feed.Root, "samples", "ThrottleKit.Testing.Sample")))
        {
            File.Copy(file, Path.Combine(project, Path.GetFileName(file)));
        }

        var output = await PackedFeed.DotnetAsync(project, "test", Path.Combine(project, "ThrottleKit.Testing.Sample.csproj"), $"-p:ThrottleKitVersion={feed.Version}");

        Assert.Contains("Passed!", output, StringComparison.Ordinal);
        Assert.Contains("Passed:     2", output, StringComparison.Ordinal);
    }

    [Fact]
    public void README_shows_the_sample_test_as_it_is()
    {
        var sample = Normalize(File.ReadAllText(Path.Combine(feed.Root, "samples", "ThrottleKit.Testing.Sample", "MailerTests.cs")));

        Assert.Contains(sample, Normalize(File.ReadAllText(Path.Combine(feed.Root, "README.md"))), StringComparison.Ordinal);
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Trim();
}
