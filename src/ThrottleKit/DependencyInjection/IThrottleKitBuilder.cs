namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Returned by ThrottleKit's registrations (<c>AddThrottleKit</c>, <c>AddThrottledAwsClients</c>), so that optional parts —
/// a fleet store such as <c>UseRedis</c> — chain onto whichever registered ThrottleKit.
/// </summary>
public interface IThrottleKitBuilder
{
    /// <summary>Gets the service collection ThrottleKit was added to.</summary>
    IServiceCollection Services { get; }
}
