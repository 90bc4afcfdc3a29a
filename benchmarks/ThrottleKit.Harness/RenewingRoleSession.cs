using System;
using System.Diagnostics;
using System.Globalization;
using Amazon.Runtime;

namespace ThrottleKit.Harness;

/// <summary>
/// The credentials a fleet really holds: a role session of its own per process (an ASIA… key, the account it belongs to,
/// as the SDK's role and container providers hand out), renewed every <see cref="RenewalInterval"/> with a new key, as a
/// session is before it expires — only far more often, so that a run of seconds sees many renewals.
/// </summary>
public sealed class RenewingRoleSession(string host, string account) : AWSCredentials
{
    /// <summary>The account every fleet worker's session belongs to.</summary>
    public const string FleetAccount = "210987654321";

    /// <summary>The prefix of every key a fleet worker signs with, by which the emulator knows them as <see cref="FleetAccount"/>'s.</summary>
    public const string KeyPrefix = "ASIAFLEET";

    /// <summary>How often the session's key changes.</summary>
    public static readonly TimeSpan RenewalInterval = TimeSpan.FromSeconds(1);

    private readonly long _started = Stopwatch.GetTimestamp();

    /// <summary>The account of a key the emulator sees: the fleet's for a fleet worker's session, else the key's own.</summary>
    public static string AccountOf(string accessKey) => accessKey.StartsWith(KeyPrefix, StringComparison.Ordinal) ? FleetAccount : accessKey;

    /// <inheritdoc />
    public override ImmutableCredentials GetCredentials()
    {
        var renewal = (long)(Stopwatch.GetElapsedTime(_started) / RenewalInterval);
        return new ImmutableCredentials(
            string.Create(CultureInfo.InvariantCulture, $"{KeyPrefix}{host}R{renewal:D4}"),
            "session-secret",
            string.Create(CultureInfo.InvariantCulture, $"session-token-{host}-{renewal}"),
            account);
    }
}
