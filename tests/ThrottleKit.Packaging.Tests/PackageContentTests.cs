using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Xml.Linq;

namespace ThrottleKit.Packaging.Tests;

/// <summary>What each package carries: its metadata, the README, docs for every target, symbols, and only the core beside its own dependencies.</summary>
[Collection(Packed.Name)]
public sealed class PackageContentTests(PackedFeed feed)
{
    [Theory]
    [InlineData("ThrottleKit", "Polly.Core")]
    [InlineData("ThrottleKit.Aws", "AWSSDK.Core")]
    [InlineData("ThrottleKit.Redis", "StackExchange.Redis")]
    [InlineData("ThrottleKit.MailKit", "MailKit")]
    [InlineData("ThrottleKit.Testing", "Microsoft.Extensions.TimeProvider.Testing")]
    public void Each_package_has_its_metadata_docs_and_symbols_and_depends_on_the_core_alone_of_ThrottleKit(string id, string dependency)
    {
        using var archive = ZipFile.OpenRead(Path.Combine(feed.Packages, $"{id}.{feed.Version}.nupkg"));
        var nuspec = archive.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = nuspec.Open();
        var metadata = XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string? Value(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
        var dependencies = metadata.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => e.Attribute("id")!.Value).Distinct().ToArray();

        Assert.Equal("MIT", Value("license"));
        Assert.Equal("README.md", Value("readme"));
        Assert.False(string.IsNullOrWhiteSpace(Value("description")));
        Assert.Contains("throttling", Value("tags"), StringComparison.Ordinal);
        Assert.NotNull(metadata.Elements().SingleOrDefault(e => e.Name.LocalName == "repository")?.Attribute("url"));
        Assert.Contains(archive.Entries, e => e.FullName == "README.md");
        Assert.Contains(dependency, dependencies);
        Assert.DoesNotContain(dependencies, d => d.StartsWith("ThrottleKit", StringComparison.Ordinal) && d != "ThrottleKit");
        Assert.Equal(id != "ThrottleKit", dependencies.Contains("ThrottleKit"));
        foreach (var framework in id == "ThrottleKit.Testing" ? ["net10.0"] : new[] { "net10.0", "netstandard2.0" })
        {
            Assert.Contains(archive.Entries, e => e.FullName == $"lib/{framework}/{id}.xml");
        }

        Assert.True(File.Exists(Path.Combine(feed.Packages, $"{id}.{feed.Version}.snupkg")));
    }
}
