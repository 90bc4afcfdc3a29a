using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;

namespace ThrottleKit.Packaging.Tests;

/// <summary>
/// Every C# block of README.md compiles, as written, in a fresh project that references the packed packages as a user's
/// would. A block marked <c>&lt;!-- snippet: file --&gt;</c> is a file of its own; any other is a fragment: its <c>using</c>
/// lines head a file and the rest becomes the body of a method given <c>services</c> (an <c>IServiceCollection</c>),
/// <c>builder</c> (a <c>HostApplicationBuilder</c>) and a <c>cancellationToken</c> — nothing else, not even a <c>using</c>.
/// </summary>
[Collection(Packed.Name)]
public sealed partial class ReadmeSnippetTests(PackedFeed feed)
{
    [Fact]
    public async Task Every_csharp_block_of_README_compiles_against_the_packages()
    {
        var snippets = Extract(File.ReadAllText(Path.Combine(feed.Root, "README.md")));
        Assert.True(snippets.Count >= 10, $"Only {snippets.Count} C# blocks were found in README.md.");
        var project = feed.NewProjectFolder("readme");
        await File.WriteAllTextAsync(Path.Combine(project, "Readme.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="ThrottleKit.Aws" Version="{feed.Version}" />
                <PackageReference Include="ThrottleKit.Redis" Version="{feed.Version}" />
                <PackageReference Include="ThrottleKit.MailKit" Version="{feed.Version}" />
                <PackageReference Include="ThrottleKit.Testing" Version="{feed.Version}" />
                <PackageReference Include="AWSSDK.SecurityToken" Version="4.0.101.10" />
                <PackageReference Include="AWSSDK.Extensions.NETCore.Setup" Version="4.0.102.10" />
                <PackageReference Include="Microsoft.Extensions.Hosting" Version="10.0.15" />
                <PackageReference Include="Microsoft.Extensions.Diagnostics.HealthChecks" Version="10.0.15" />
                <PackageReference Include="Microsoft.Extensions.Http.Resilience" Version="10.11.0" />
                <PackageReference Include="OpenTelemetry.Extensions.Hosting" Version="1.20.1" />
                <PackageReference Include="OpenTelemetry.Exporter.OpenTelemetryProtocol" Version="1.20.1" />
                <PackageReference Include="xunit" Version="2.9.3" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(project, "AwsShapes.cs"), AwsShapes);
        for (var i = 0; i < snippets.Count; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(project, $"Snippet{i + 1:00}.cs"), snippets[i].IsFile ? snippets[i].Code : Wrap(snippets[i].Code, i + 1));
        }

        await PackedFeed.DotnetAsync(project, "build", Path.Combine(project, "Readme.csproj"));
    }

    private static List<(string Code, bool IsFile)> Extract(string readme)
    {
        var snippets = new List<(string, bool)>();
        foreach (Match block in CsharpBlock().Matches(readme))
        {
            var before = readme[..block.Index].TrimEnd();
            snippets.Add((block.Groups["code"].Value, before.EndsWith("<!-- snippet: file -->", StringComparison.Ordinal)));
        }

        return snippets;
    }

    private static string Wrap(string code, int number)
    {
        var lines = code.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var usings = lines.TakeWhile(l => l.StartsWith("using ", StringComparison.Ordinal) && l.TrimEnd().EndsWith(';') && !l.Contains('(', StringComparison.Ordinal) || l.Length == 0).ToArray();
        var body = lines.Skip(usings.Length);
        var text = new StringBuilder();
        foreach (var line in usings)
        {
            text.AppendLine(line);
        }

        text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"internal static class ReadmeSnippet{number}");
        text.AppendLine("{");
        text.AppendLine("    internal static async System.Threading.Tasks.Task Run(Microsoft.Extensions.DependencyInjection.IServiceCollection services, Microsoft.Extensions.Hosting.HostApplicationBuilder builder, System.Threading.CancellationToken cancellationToken)");
        text.AppendLine("    {");
        foreach (var line in body)
        {
            text.Append("        ").AppendLine(line);
        }

        text.AppendLine("        await System.Threading.Tasks.Task.CompletedTask;");
        text.AppendLine("    }");
        text.AppendLine("}");
        return text.ToString();
    }

    [GeneratedRegex(@"```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CsharpBlock();

    /// <summary>
    /// The members of AWSSDK.SimpleEmail and AWSSDK.ConnectCampaignService that README uses, with their names, namespaces and
    /// types, because the registry here does not serve those two packages; every other type is the real one.
    /// </summary>
    private const string AwsShapes = """
        using Amazon.Runtime;

        namespace Amazon.SimpleEmail
        {
            public interface IAmazonSimpleEmailService : IAmazonService
            {
                static ClientConfig IAmazonService.CreateDefaultClientConfig() => throw new NotSupportedException("A shape for compiling README.");

                static IAmazonService IAmazonService.CreateDefaultServiceClient(AWSCredentials awsCredentials, ClientConfig clientConfig) => throw new NotSupportedException("A shape for compiling README.");

                Task<Model.SendEmailResponse> SendEmailAsync(Model.SendEmailRequest request, CancellationToken cancellationToken = default);

                Task<Model.GetSendQuotaResponse> GetSendQuotaAsync(Model.GetSendQuotaRequest request, CancellationToken cancellationToken = default);
            }
        }

        namespace Amazon.SimpleEmail.Model
        {
            public class SendEmailRequest : AmazonWebServiceRequest { }

            public class SendEmailResponse : AmazonWebServiceResponse { public string? MessageId { get; set; } }

            public class GetSendQuotaRequest : AmazonWebServiceRequest { }

            public class GetSendQuotaResponse : AmazonWebServiceResponse
            {
                public double? Max24HourSend { get; set; }

                public double? MaxSendRate { get; set; }

                public double? SentLast24Hours { get; set; }
            }
        }

        namespace Amazon.ConnectCampaignService
        {
            public interface IAmazonConnectCampaignService : IAmazonService
            {
                static ClientConfig IAmazonService.CreateDefaultClientConfig() => throw new NotSupportedException("A shape for compiling README.");

                static IAmazonService IAmazonService.CreateDefaultServiceClient(AWSCredentials awsCredentials, ClientConfig clientConfig) => throw new NotSupportedException("A shape for compiling README.");

                Task<Model.PutDialRequestBatchResponse> PutDialRequestBatchAsync(Model.PutDialRequestBatchRequest request, CancellationToken cancellationToken = default);
            }
        }

        namespace Amazon.ConnectCampaignService.Model
        {
            public class DialRequest
            {
                public string ClientToken { get; set; } = "";

                public string PhoneNumber { get; set; } = "";
            }

            public class FailedRequest
            {
                public string ClientToken { get; set; } = "";

                public string FailureCode { get; set; } = "";
            }

            public class PutDialRequestBatchRequest : AmazonWebServiceRequest
            {
                public string Id { get; set; } = "";

                public List<DialRequest> DialRequests { get; set; } = [];
            }

            public class PutDialRequestBatchResponse : AmazonWebServiceResponse
            {
                public List<FailedRequest> FailedRequests { get; set; } = [];
            }
        }
        """;
}
