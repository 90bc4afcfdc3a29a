using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Amazon.Runtime;
using ThrottleKit.Internal;

namespace ThrottleKit.Aws;

/// <summary>
/// Counts the recipients of an Amazon SES send, which is what SES's sending rate counts, by the shape shared by the
/// SES v1 and v2 request models, so no reference to their packages is needed (any version works):
/// <c>Destination</c> (<c>ToAddresses + CcAddresses + BccAddresses</c>), <c>Destinations</c> (raw email: the addresses;
/// bulk: each entry's <c>Destination</c>) and <c>BulkEmailEntries</c> (SES v2 bulk). A raw message that names no
/// destinations (v1 <c>RawMessage</c>, v2 <c>Content.Raw</c>) is counted as SES counts it: the addresses in its To, Cc and Bcc
/// headers, group members each, duplicates once — headers only, the body is not read. A request that names nobody costs 1.
/// </summary>
public static class SimpleEmailRecipientCounter
{
    private static readonly string[] AddressLists = ["ToAddresses", "CcAddresses", "BccAddresses"];

    // Reflection results per request type: fixed facts about types, the same for every container in the process.
    private static readonly ConcurrentDictionary<Type, Func<object, int>> Counters = new();

    /// <summary>The number of recipients of <paramref name="request"/>, at least 1.</summary>
    /// <param name="request">An SES request (v1 or v2); other requests count 1.</param>
    /// <returns>The recipients, or 1 when the request names none.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is <see langword="null"/>.</exception>
    public static int Count(AmazonWebServiceRequest request)
    {
        Guard.NotNull(request);
        return Math.Max(1, Counters.GetOrAdd(request.GetType(), CreateCounter)(request));
    }

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "The SDK's generated marshaller reads every property of a request model, so the trimmer keeps them for any operation the app calls.")]
    private static Func<object, int> CreateCounter(Type requestType)
    {
        var destination = requestType.GetProperty("Destination");
        var destinations = requestType.GetProperty("Destinations");
        var bulkEntries = requestType.GetProperty("BulkEmailEntries");
        var rawMessage = requestType.GetProperty("RawMessage");
        var content = requestType.GetProperty("Content");
        return request =>
        {
            var named = CountDestination(destination?.GetValue(request))
                + CountEntries(destinations?.GetValue(request))
                + CountEntries(bulkEntries?.GetValue(request));
            if (named > 0)
            {
                return named;
            }

            var raw = rawMessage?.GetValue(request) ?? (content?.GetValue(request) is { } body ? GetProperty(body, "Raw") : null);
            return raw is null ? 0 : RawMessageRecipients.Count(GetProperty(raw, "Data") as System.IO.Stream);
        };
    }

    /// <summary>Counts a list of addresses, or of entries that each hold a <c>Destination</c>.</summary>
    private static int CountEntries(object? entries)
    {
        var count = 0;
        if (entries is IEnumerable list)
        {
            foreach (var entry in list)
            {
                count += entry switch
                {
                    null => 0,
                    string => 1,
                    _ => CountDestination(GetProperty(entry, "Destination")),
                };
            }
        }

        return count;
    }

    private static int CountDestination(object? destination)
    {
        if (destination is null)
        {
            return 0;
        }

        var count = 0;
        foreach (var name in AddressLists)
        {
            if (GetProperty(destination, name) is ICollection addresses)
            {
                count += addresses.Count;
            }
        }

        return count;
    }

    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "The SDK's generated marshaller reads every property of a request model, so the trimmer keeps them for any operation the app calls.")]
    private static object? GetProperty(object instance, string name)
        => instance.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance)?.GetValue(instance);
}
