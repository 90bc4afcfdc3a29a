using System;
using System.Globalization;
using Amazon.Runtime.Internal;

namespace ThrottleKit.Aws;

/// <summary>
/// The wait an AWS service asks for with a throttle: its <c>x-amz-retry-after</c> header, in milliseconds, read from the
/// HTTP error response the SDK keeps as the exception's inner exception. The SDK's own retry reads the same header (and,
/// since AWSSDK.Core 4.0.102 with its 2026 retry behaviour, honours it up to 5 s past its backoff); ThrottleKit, which takes
/// that retry's place, honours it up to <see cref="MaxWait"/> and holds the whole bucket back as long.
/// </summary>
internal static class AwsRetryAfter
{
    /// <summary>The longest wait honoured, as the SDK's 2026 retry clamps it.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(5);

    private const string Header = "x-amz-retry-after";

    /// <summary>The wait a throttle asked for, or <see langword="null"/> when it carries none (or one that is not a number of milliseconds).</summary>
    public static TimeSpan? Of(Exception error)
    {
        for (var current = error; current is not null; current = current.InnerException)
        {
            if (current is HttpErrorResponseException { Response: { } response })
            {
                var value = response.GetHeaderValue(Header);
                return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds > 0
                    ? TimeSpan.FromMilliseconds(milliseconds)
                    : null;
            }
        }

        return null;
    }
}
