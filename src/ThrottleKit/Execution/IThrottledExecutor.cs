using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Threading;
using System.Threading.Tasks;

namespace ThrottleKit;

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
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cost"/> is negative or above 10⁹, or more than the limiter's burst when it does not allow borrowing.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="Polly.RateLimiting.RateLimiterRejectedException">The rate limiter's queue is full.</exception>
    /// <exception cref="DailyQuotaExceededException">The executor enforces the account's 24-hour quota and it is spent; nothing was sent.</exception>
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
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cost"/> is negative or above 10⁹, or more than the limiter's burst when it does not allow borrowing.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="Polly.RateLimiting.RateLimiterRejectedException">The rate limiter's queue is full.</exception>
    /// <exception cref="DailyQuotaExceededException">The executor enforces the account's 24-hour quota and it is spent; nothing was sent.</exception>
    /// <remarks>Failures surface exactly as in <see cref="ExecuteAsync{T}(Func{CancellationToken, Task{T}}, int, CancellationToken)"/>.</remarks>
    Task ExecuteAsync(Func<CancellationToken, Task> operation, int cost = 1, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends <paramref name="items"/> in batches of at most <paramref name="maxBatchSize"/>, and re-sends only the items that a
    /// response marks as throttled (a partial throttle, as Amazon Connect Campaigns' <c>PutDialRequestBatch</c> and Amazon SES's
    /// <c>SendBulkTemplatedEmail</c> answer), after the same backoff as a throttled call, until each succeeds, fails, or
    /// the retries run out. A throttle of the whole call is retried as in <see cref="ExecuteAsync{T}(Func{CancellationToken, Task{T}}, int, CancellationToken)"/>.
    /// </summary>
    /// <typeparam name="TItem">An item: a dial request, a bulk email destination, a queue message.</typeparam>
    /// <typeparam name="TResponse">What one batch call returns.</typeparam>
    /// <param name="items">The items, each sent until it has an answer; an item that succeeded is never sent again.</param>
    /// <param name="maxBatchSize">The most items in one call (25 for <c>PutDialRequestBatch</c>, 50 for <c>SendBulkTemplatedEmail</c>).</param>
    /// <param name="sendBatch">Makes one batch call with the items given (never more than <paramref name="maxBatchSize"/>, never empty).</param>
    /// <param name="readOutcomes">Says, for each item of a call in the order sent, whether the response accepted, throttled or refused it.</param>
    /// <param name="itemCost">Permits one item takes (recipients of a destination); 1 when <see langword="null"/>. A call takes the sum over its items.</param>
    /// <param name="cancellationToken">Stops the run: items without an answer end <see cref="BatchItemStatus.Canceled"/>, and the results are still returned.</param>
    /// <returns>One result per item, in the order of <paramref name="items"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBatchSize"/> is less than 1.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="readOutcomes"/> did not return one outcome per item sent, or <paramref name="itemCost"/> returned a negative cost.</exception>
    /// <remarks>
    /// Failures never escape as exceptions: a terminal failure of a whole call ends its items <see cref="BatchItemStatus.Failed"/>
    /// with <see cref="BatchItemResult{TItem}.Exception"/> set; an ambiguous one (a timeout, a 500) is not re-sent, as the service may
    /// have processed the items. Batches go out one after another, each taking its permits.
    /// </remarks>
    Task<IReadOnlyList<BatchItemResult<TItem>>> ExecuteBatchAsync<TItem, TResponse>(
        IReadOnlyList<TItem> items,
        int maxBatchSize,
        Func<IReadOnlyList<TItem>, CancellationToken, Task<TResponse>> sendBatch,
        Func<TResponse, IReadOnlyList<TItem>, IReadOnlyList<BatchItemOutcome>> readOutcomes,
        Func<TItem, int>? itemCost = null,
        CancellationToken cancellationToken = default);
}
