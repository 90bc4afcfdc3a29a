using System;
using System.Collections.Generic;

namespace ThrottleKit.Aws;

/// <summary>
/// The priority and flow of a service's requests, read from the request itself, for calls made outside any
/// <see cref="PriorityScope"/> (a scope in code wins). Bindable from configuration, for example for SES:
/// <c>"Priorities": { "By": "ConfigurationSetName", "Values": { "password-resets": "High", "newsletters": "Low" } }</c>,
/// and for Connect Campaigns a flow per campaign: <c>"Priorities": { "FlowBy": "Id" }</c>.
/// </summary>
public sealed class AwsPriorityOptions
{
    /// <summary>
    /// Gets or sets the name of the request property (of the SDK's request object, e.g. SES's <c>ConfigurationSetName</c>)
    /// whose value picks the priority from <see cref="Values"/>. Default none.
    /// </summary>
    public string? By { get; set; }

    /// <summary>
    /// Gets the values of <see cref="By"/> and the priority of the requests that carry them; a request with any other value,
    /// or none, is <see cref="ThrottlePriority.Normal"/>.
    /// </summary>
    public IDictionary<string, ThrottlePriority> Values { get; } = new Dictionary<string, ThrottlePriority>(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets the name of the request property whose value names the request's flow (a tenant, a campaign: Connect
    /// Campaigns' <c>Id</c>), which shares its priority fairly with the other flows waiting. Default none: one flow.
    /// </summary>
    public string? FlowBy { get; set; }
}
