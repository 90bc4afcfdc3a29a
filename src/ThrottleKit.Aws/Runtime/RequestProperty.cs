using System;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace ThrottleKit.Aws;

/// <summary>
/// Reads a property of an SDK request by its name, as configuration names it (<see cref="AwsPriorityOptions"/>): the
/// library builds against AWSSDK.Core alone, so a service's request types are known only by what the app sends. A getter
/// is looked up once per request type and name; a property that does not exist reads as no value.
/// </summary>
internal static class RequestProperty
{
    private static readonly ConcurrentDictionary<(Type, string), PropertyInfo?> Getters = new();

    [UnconditionalSuppressMessage("Trimming", "IL2080", Justification = "A property an app names in configuration is one its requests set, so the trimmer keeps it; one it removed reads as no value.")]
    public static string? Read(object request, string name)
    {
        var getter = Getters.GetOrAdd((request.GetType(), name), static key => key.Item1.GetProperty(key.Item2, BindingFlags.Public | BindingFlags.Instance));
        return getter?.GetValue(request)?.ToString();
    }
}
