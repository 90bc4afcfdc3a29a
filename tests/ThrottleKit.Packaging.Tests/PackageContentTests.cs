using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
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

    [Theory]
    [InlineData("ThrottleKit")]
    [InlineData("ThrottleKit.Aws")]
    [InlineData("ThrottleKit.Redis")]
    [InlineData("ThrottleKit.MailKit")]
    [InlineData("ThrottleKit.Testing")]
    public void No_package_lets_another_package_see_its_internals_so_packages_of_different_versions_combine(string id)
    {
        using var archive = ZipFile.OpenRead(Path.Combine(feed.Packages, $"{id}.{feed.Version}.nupkg"));
        var assemblies = archive.Entries.Where(e => e.FullName.StartsWith("lib/", StringComparison.Ordinal) && e.FullName.EndsWith(".dll", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(assemblies);
        foreach (var entry in assemblies)
        {
            using var copy = new MemoryStream();
            using (var stream = entry.Open())
            {
                stream.CopyTo(copy);
            }

            copy.Position = 0;
            using var pe = new PEReader(copy);
            var reader = pe.GetMetadataReader();
            var friends = reader.GetAssemblyDefinition().GetCustomAttributes()
                .Select(reader.GetCustomAttribute)
                .Where(a => AttributeName(reader, a) == "InternalsVisibleToAttribute")
                .Select(a => FirstArgument(reader, a))
                .ToArray();

            Assert.DoesNotContain(friends, f => PackedFeed.PackageIds.Contains(f));
        }
    }

    private static string AttributeName(MetadataReader reader, CustomAttribute attribute)
    {
        var constructor = attribute.Constructor;
        var type = constructor.Kind == HandleKind.MemberReference
            ? reader.GetMemberReference((MemberReferenceHandle)constructor).Parent
            : reader.GetMethodDefinition((MethodDefinitionHandle)constructor).GetDeclaringType();
        return type.Kind == HandleKind.TypeReference
            ? reader.GetString(reader.GetTypeReference((TypeReferenceHandle)type).Name)
            : reader.GetString(reader.GetTypeDefinition((TypeDefinitionHandle)type).Name);
    }

    /// <summary>The attribute's one string argument: a prolog (0x0001), then the length-prefixed UTF-8 name.</summary>
    private static string FirstArgument(MetadataReader reader, CustomAttribute attribute)
    {
        var blob = reader.GetBlobReader(attribute.Value);
        blob.ReadUInt16();
        return blob.ReadSerializedString() ?? string.Empty;
    }
}
