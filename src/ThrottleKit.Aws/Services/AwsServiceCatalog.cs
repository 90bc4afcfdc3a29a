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

    /// <summary>
    /// The known service whose clients include those of the SDK service id <paramref name="serviceId"/> (case-insensitive;
    /// <c>SESv2</c> is SES's), or null: a user who keys a service by a client's id is sent to the key that covers it.
    /// </summary>
    public static AwsServiceDefinition? FindByServiceId(string serviceId)
    {
        foreach (var definition in All)
        {
            foreach (var id in definition.ServiceIds)
            {
                if (string.Equals(id, serviceId, StringComparison.OrdinalIgnoreCase))
                {
                    return definition;
                }
            }
        }

        return null;
    }
}
