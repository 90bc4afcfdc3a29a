using System;
using System.Collections.Generic;
using Microsoft.Extensions.Options;
using ThrottleKit.Internal;

namespace ThrottleKit.Aws.DependencyInjection;

/// <summary>Validates <see cref="AwsThrottlingOptions"/> at startup, naming the setting and its value in each failure.</summary>
internal sealed class AwsThrottlingOptionsValidator : IValidateOptions<AwsThrottlingOptions>
{
    public ValidateOptionsResult Validate(string? name, AwsThrottlingOptions options)
    {
        var failures = new List<string>();
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var service in options.Services)
        {
            var prefix = $"Services:{service.Key}";
            if (service.Value is null)
            {
                failures.Add($"{prefix} is null.");
                continue;
            }

            Check(failures, $"{prefix}:RateLimit", () => Guard.NotNull(service.Value.RateLimit, nameof(options)).Validate());
            Check(failures, $"{prefix}:Adaptive", () => Guard.NotNull(service.Value.Adaptive, nameof(options)).Validate());
            Check(failures, $"{prefix}:AccountQuota", () => Guard.NotNull(service.Value.AccountQuota, nameof(options)).Validate());
            Check(failures, $"{prefix}:Backoff", () => Guard.NotNull(service.Value.Backoff, nameof(options)).Validate());
            foreach (var operation in service.Value.Operations)
            {
                Check(failures, $"{prefix}:Operations:{operation.Key}", () => Guard.NotNull(operation.Value, nameof(options)).Validate());
            }

            if (service.Value.GetRules() is null && ThrottledAwsServices.DefaultRules(service.Key) is null)
            {
                failures.Add($"{prefix}: rules must be set with UseRules(...): ThrottleKit has no built-in rules for a service called '{service.Key}'.");
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

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(List<string> failures, string path, Action validate)
    {
        try
        {
            validate();
        }
        catch (ArgumentException error)
        {
            failures.Add($"{path}:{error.Message}");
        }
    }
}
