using System;
using System.Net;
using System.Net.Http;
using ThrottleKit.Internal;

namespace ThrottleKit;

/// <summary>
/// How an HTTP service says "too many requests", for <see cref="ThrottlingStrategyOptions.ResultClassifier"/> and
/// <see cref="ThrottlingStrategyOptions.Classifier"/>: a <c>429 Too Many Requests</c> response, or a <c>503 Service
/// Unavailable</c> that carries <c>Retry-After</c> (a server that is merely down sends none, and stays a failure); the
/// <c>Retry-After</c> of either is honoured. Every other response is the caller's, as it is.
/// </summary>
public static class HttpThrottling
{
    private const int TooManyRequests = 429;

    /// <summary>Gets a classifier for the exception <c>EnsureSuccessStatusCode</c> throws for a 429 (on .NET 5 and later, where it carries the status); everything else is unknown (terminal).</summary>
    public static IThrottlingClassifier Classifier { get; } = new StatusClassifier();

    /// <summary>Classifies a result: an <see cref="HttpResponseMessage"/> as <see cref="Classify(HttpResponseMessage)"/> does, anything else as no throttle.</summary>
    /// <param name="arguments">The result and its call's context.</param>
    /// <returns>Whether the attempt was throttled, and for how long the service asked callers to wait.</returns>
    public static ResultThrottle ClassifyResult(ThrottlingResultArguments arguments)
        => arguments.Result is HttpResponseMessage response ? Classify(response) : ResultThrottle.None;

    /// <summary>Classifies a response: 429, or 503 with <c>Retry-After</c>, is a throttle.</summary>
    /// <param name="response">The response.</param>
    /// <returns>Whether it is a throttle, with the wait it asked for.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is <see langword="null"/>.</exception>
    public static ResultThrottle Classify(HttpResponseMessage response)
    {
        Guard.NotNull(response);
        var retryAfter = RetryAfter(response);
        return (int)response.StatusCode == TooManyRequests || (response.StatusCode == HttpStatusCode.ServiceUnavailable && retryAfter is not null)
            ? ResultThrottle.Throttled(retryAfter)
            : ResultThrottle.None;
    }

    /// <summary>
    /// The wait a response's <c>Retry-After</c> asks for: its seconds, or its date less the response's own <c>Date</c> (the
    /// server's clock on both sides, so a skewed client clock does not matter; this machine's clock when the server sent none).
    /// </summary>
    /// <param name="response">The response.</param>
    /// <returns>The wait, never negative; <see langword="null"/> when the response asks for none.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is <see langword="null"/>.</exception>
    public static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        Guard.NotNull(response);
        var header = response.Headers.RetryAfter;
        var wait = header?.Delta ?? (header?.Date is { } date ? date - (response.Headers.Date ?? DateTimeOffset.UtcNow) : null);
        return wait is { } value ? (value > TimeSpan.Zero ? value : TimeSpan.Zero) : null;
    }

    /// <summary>A result as the logs name it: an HTTP response by its status, anything else by its type (never its contents).</summary>
    internal static string Describe(object? result) => result switch
    {
        null => "null result",
        HttpResponseMessage response => $"HTTP {(int)response.StatusCode}",
        _ => result.GetType().Name,
    };

    private sealed class StatusClassifier : IThrottlingClassifier
    {
        public ThrottlingClassification Classify(Exception exception)
#if NET
            => exception is HttpRequestException { StatusCode: (HttpStatusCode)TooManyRequests } ? ThrottlingClassification.Retriable : ThrottlingClassification.Unknown;
#else
            => ThrottlingClassification.Unknown;
#endif
    }
}
