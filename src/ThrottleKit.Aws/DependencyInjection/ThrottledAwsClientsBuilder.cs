using System;
using Microsoft.Extensions.DependencyInjection;

namespace ThrottleKit.Aws.DependencyInjection;

/// <summary>Returned by <c>AddThrottledAwsClients</c>, so that optional backends can be chained onto it.</summary>
public sealed class ThrottledAwsClientsBuilder
{
    internal ThrottledAwsClientsBuilder(IServiceCollection services) => Services = services ?? throw new ArgumentNullException(nameof(services));

    /// <summary>Gets the service collection ThrottleKit was added to.</summary>
    public IServiceCollection Services { get; }
}
