using System;
using System.Diagnostics.CodeAnalysis;
using System.Threading;
using System.Threading.Tasks;

namespace ThrottleKit.Execution;

/// <summary>
/// Runs calls to a rate-limited API: each attempt first waits for its permits, throttles are retried after a capped
/// exponential backoff, and every other failure surfaces unchanged.
/// </summary>
[SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The generic and non-generic twins differ in the operation's type, never in their optional parameters.")]
public interface IThrottledExecutor
{
    /// <summary>Runs <paramref name="operation"/> under the rate limit, retrying it while it is throttled.</summary>
    /// <typeparam name="T">What the operation returns.</typeparam>
    /// <param name="operation">The call, given the token that cancels the current attempt. It may run several times, so it must be safe to repeat after a throttle.</param>
    /// <param name="cost">Permits each attempt takes (Amazon SES counts recipients, not calls). Zero waits for the rate without spending it.</param>
    /// <param name="cancellationToken">Cancels waiting for permits, the backoff and the operation; a cancellation is never retried.</param>
    /// <returns>What the first successful attempt returned.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cost"/> is negative.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="Polly.RateLimiting.RateLimiterRejectedException">The rate limiter's queue is full.</exception>
    /// <remarks>
    /// A terminal failure is rethrown at once, and the last throttle is rethrown once the retries are spent: in both cases
    /// the very exception the operation threw, with its stack trace, so existing <c>catch</c> blocks keep working.
    /// </remarks>
    Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> operation, int cost = 1, CancellationToken cancellationToken = default);

    /// <summary>Runs <paramref name="operation"/> under the rate limit, retrying it while it is throttled.</summary>
    /// <param name="operation">The call, given the token that cancels the current attempt. It may run several times, so it must be safe to repeat after a throttle.</param>
    /// <param name="cost">Permits each attempt takes (Amazon SES counts recipients, not calls). Zero waits for the rate without spending it.</param>
    /// <param name="cancellationToken">Cancels waiting for permits, the backoff and the operation; a cancellation is never retried.</param>
    /// <returns>A task that completes when an attempt succeeds.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cost"/> is negative.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="Polly.RateLimiting.RateLimiterRejectedException">The rate limiter's queue is full.</exception>
    /// <remarks>Failures surface exactly as in <see cref="ExecuteAsync{T}(Func{CancellationToken, Task{T}}, int, CancellationToken)"/>.</remarks>
    Task ExecuteAsync(Func<CancellationToken, Task> operation, int cost = 1, CancellationToken cancellationToken = default);
}
