using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Options;
using ThrottleKit.Internal;

namespace ThrottleKit.Aws;

/// <summary>
/// Validates <see cref="AwsThrottlingOptions"/> at start and on every configuration change: every failing setting with its
/// value, in one <see cref="OptionsValidationException"/>, and the client registrations that would go unthrottled.
/// </summary>
internal sealed class AwsThrottlingOptionsValidator(IOptions<AwsThrottlingCode> code, AwsClientRegistrations registrations) : IValidateOptions<AwsThrottlingOptions>
{
    private const int MaxServiceKeyLength = 64;

    public ValidateOptionsResult Validate(string? name, AwsThrottlingOptions options)
    {
        var failures = OptionsValidation.Collect(options, string.Empty).Select(f => f.ToString()).ToList();
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var service in options.Services)
        {
            var prefix = $"Services:{service.Key}";
            if (!IsValidKey(service.Key))
            {
                failures.Add($"{prefix}: a service key must be 1 to {MaxServiceKeyLength} letters, digits, '.', '_' or '-' (it names Redis keys and telemetry); it is '{service.Key}'.");
            }

            if (service.Value is null)
            {
                continue;
            }

            var definition = AwsServiceCatalog.Find(service.Key);
            if (definition?.ServiceMaxCost is { } most && service.Value.MaxCost > most)
            {
                failures.Add($"{prefix}:MaxCost: {definition.ServiceMaxCostReason}; it is {service.Value.MaxCost}.");
            }

            if (!code.Value.Rules.ContainsKey(service.Key) && definition is null)
            {
                if (AwsServiceCatalog.FindByServiceId(service.Key) is { } covering)
                {
                    failures.Add($"{prefix}: '{service.Key}' is the SDK service id of clients the service '{covering.Key}' already covers; configure them under Services:{covering.Key}, or give rules of their own with UseRules(\"{service.Key}\", new AwsThrottlingRules(...)).");
                }
                else
                {
                    failures.Add($"{prefix}: ThrottleKit has no rules for a service called '{service.Key}'; give them with UseRules(\"{service.Key}\", new AwsThrottlingRules(...)).");
                }
            }

            foreach (var serviceId in service.Value.ServiceIds)
            {
                if (owners.TryGetValue(serviceId, out var owner) && !string.Equals(owner, service.Key, StringComparison.OrdinalIgnoreCase))
                {
                    failures.Add($"{prefix}:ServiceIds: the service id '{serviceId}' is already mapped to '{owner}'.");
                }

                owners[serviceId] = service.Key;
            }
        }

        failures.AddRange(registrations.Problems(new HashSet<string>(owners.Keys, StringComparer.Ordinal)));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsValidKey(string key)
        => key.Length is > 0 and <= MaxServiceKeyLength && key.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '-');
}
