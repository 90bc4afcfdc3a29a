using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace ThrottleKit.Testing;

/// <summary>
/// The recipients of a send, as SES counts them: To, Cc and Bcc of a structured message; a raw message's Destinations, else
/// the addresses in its To, Cc and Bcc headers; each distinct address once. Written apart from ThrottleKit's own counting.
/// </summary>
internal static partial class Recipients
{
    [GeneratedRegex(@"Destination\.(To|Cc|Bcc)Addresses\.member\.\d+$")]
    private static partial Regex StructuredAddress();

    [GeneratedRegex(@"^Destinations\.member\.\d+$")]
    private static partial Regex RawDestination();

    [GeneratedRegex(@"^Tags\.member\.\d+\.Key$")]
    private static partial Regex StandInTag();

    /// <summary>The addresses of an awsQuery send (SES v1); an STS stand-in's session tags stand for recipients.</summary>
    public static IReadOnlyCollection<string> OfForm(IFormCollection form)
    {
        var addresses = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var field in form)
        {
            if (StructuredAddress().IsMatch(field.Key) || RawDestination().IsMatch(field.Key))
            {
                addresses.Add(field.Value.ToString());
            }
            else if (StandInTag().IsMatch(field.Key))
            {
                addresses.Add(field.Key);
            }
        }

        if (addresses.Count == 0 && form.TryGetValue("RawMessage.Data", out var raw))
        {
            addresses.UnionWith(OfMime(raw.ToString()));
        }

        return addresses;
    }

    /// <summary>The addresses of a JSON send (SES v2 <c>SendEmail</c>): its Destination, else its raw message's headers.</summary>
    public static IReadOnlyCollection<string> OfJson(JsonElement request)
    {
        var addresses = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (request.ValueKind == JsonValueKind.Object && request.TryGetProperty("Destination", out var destination))
        {
            addresses.UnionWith(OfDestination(destination));
        }

        if (addresses.Count == 0
            && request.ValueKind == JsonValueKind.Object
            && request.TryGetProperty("Content", out var content)
            && content.TryGetProperty("Raw", out var raw)
            && raw.TryGetProperty("Data", out var data)
            && data.GetString() is { } base64)
        {
            addresses.UnionWith(OfMime(base64));
        }

        return addresses;
    }

    public static IEnumerable<string> OfDestination(JsonElement destination)
    {
        foreach (var list in new[] { "ToAddresses", "CcAddresses", "BccAddresses" })
        {
            if (destination.TryGetProperty(list, out var addresses) && addresses.ValueKind == JsonValueKind.Array)
            {
                foreach (var address in addresses.EnumerateArray())
                {
                    if (address.GetString() is { Length: > 0 } text)
                    {
                        yield return text;
                    }
                }
            }
        }
    }

    /// <summary>The addresses in a MIME message's To, Cc and Bcc headers (group members each); the body is never read.</summary>
    public static IEnumerable<string> OfMime(string base64)
    {
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            yield break;
        }

        using var reader = new StringReader(text);
        var header = new StringBuilder();
        var headers = new List<string>();
        for (var line = reader.ReadLine(); !string.IsNullOrEmpty(line); line = reader.ReadLine())
        {
            if (char.IsWhiteSpace(line[0]))
            {
                header.Append(' ').Append(line.Trim());
                continue;
            }

            if (header.Length > 0)
            {
                headers.Add(header.ToString());
            }

            header.Clear().Append(line);
        }

        if (header.Length > 0)
        {
            headers.Add(header.ToString());
        }

        foreach (var value in headers.Select(h => h.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim() is var name && (name.Equals("To", StringComparison.OrdinalIgnoreCase) || name.Equals("Cc", StringComparison.OrdinalIgnoreCase) || name.Equals("Bcc", StringComparison.OrdinalIgnoreCase))).Select(p => p[1]))
        {
            foreach (var token in value.Split([',', ';', ':', ' ', '<', '>', '"'], StringSplitOptions.RemoveEmptyEntries))
            {
                if (token.Contains('@', StringComparison.Ordinal))
                {
                    yield return token.Trim();
                }
            }
        }
    }
}
