using System;
using System.Collections.Generic;

namespace ThrottleKit.Aws;

/// <summary>The services ThrottleKit knows without being told: one line each (docs/adding-a-service.md).</summary>
internal static class AwsServiceCatalog
{
    public static IReadOnlyList<AwsServiceDefinition> All { get; } =
    [
        SimpleEmailService.Definition,
        ConnectCampaignsService.Definition,
        ConnectCampaignsV2Service.Definition,
    ];

    /// <summary>The definition of the service <paramref name="key"/> (case-insensitive), or null for a service ThrottleKit does not know.</summary>
    public static AwsServiceDefinition? Find(string key)
    {
        foreach (var definition in All)
        {
            if (string.Equals(definition.Key, key, StringComparison.OrdinalIgnoreCase))
            {
                return definition;
            }
        }

        return null;
    }
}
