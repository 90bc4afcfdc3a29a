using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using ThrottleKit.Internal;

namespace ThrottleKit;

/// <summary>
/// One <see cref="ThrottledExecutor.ExecuteBatchAsync{TItem, TResponse}"/> call: sends the items in batches through the
/// executor, then re-sends, after the executor's backoff, only the items the responses marked as throttled.
/// </summary>
internal sealed class BatchRun<TItem, TResponse>
{
    private readonly ThrottledExecutor _executor;
    private readonly IReadOnlyList<TItem> _items;
    private readonly int _maxBatchSize;
    private readonly Func<IReadOnlyList<TItem>, CancellationToken, Task<TResponse>> _sendBatch;
    private readonly Func<TResponse, IReadOnlyList<TItem>, IReadOnlyList<BatchItemOutcome>> _readOutcomes;
    private readonly Func<TItem, int>? _itemCost;
    private readonly CancellationToken _cancellationToken;
    private readonly BatchItemResult<TItem>?[] _results;
    private readonly int[] _attempts;
    private readonly string?[] _lastDetail;

    public BatchRun(
        ThrottledExecutor executor,
        IReadOnlyList<TItem> items,
        int maxBatchSize,
        Func<IReadOnlyList<TItem>, CancellationToken, Task<TResponse>> sendBatch,
        Func<TResponse, IReadOnlyList<TItem>, IReadOnlyList<BatchItemOutcome>> readOutcomes,
        Func<TItem, int>? itemCost,
        CancellationToken cancellationToken)
    {
        _executor = executor;
        _items = items;
        _maxBatchSize = maxBatchSize;
        _sendBatch = sendBatch;
        _readOutcomes = readOutcomes;
        _itemCost = itemCost;
        _cancellationToken = cancellationToken;
        _results = new BatchItemResult<TItem>?[items.Count];
        _attempts = new int[items.Count];
        _lastDetail = new string?[items.Count];
    }

    public async Task<IReadOnlyList<BatchItemResult<TItem>>> RunAsync()
    {
        var pending = new List<int>(_items.Count);
        for (var i = 0; i < _items.Count; i++)
        {
            pending.Add(i);
        }

        var previousDelay = TimeSpan.Zero;
        for (var retry = 0; pending.Count > 0; retry++)
        {
            var throttled = new List<int>();
            for (var start = 0; start < pending.Count; start += _maxBatchSize)
            {
                var chunk = pending.GetRange(start, Math.Min(_maxBatchSize, pending.Count - start));
                if (_cancellationToken.IsCancellationRequested)
                {
                    Finish(chunk, BatchItemStatus.Canceled, detail: null, exception: null);
                    continue;
                }

                await SendAsync(chunk, throttled).ConfigureAwait(false);
            }

            if (throttled.Count == 0)
            {
                break;
            }

            if (retry >= _executor.MaxRetries)
            {
                foreach (var index in throttled)
                {
                    Finish(index, BatchItemStatus.Throttled, _lastDetail[index], exception: null);
                }

                _executor.ReportBatchRetriesExhausted(throttled.Count);
                break;
            }

            var delay = _executor.NextBackoffDelay(retry, previousDelay);
            previousDelay = delay;
            _executor.ReportBatchRetry(throttled.Count, retry, delay);
            try
            {
                await TimeProviderDelay.Wait(_executor.TimeProvider, delay, _cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_cancellationToken.IsCancellationRequested)
            {
                Finish(throttled, BatchItemStatus.Canceled, detail: null, exception: null);
                break;
            }

            pending = throttled;
        }

        var results = new BatchItemResult<TItem>[_results.Length];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = _results[i] ?? throw new InvalidOperationException($"Item {i} of the batch was left without a result.");
        }

        return results;
    }

    private async Task SendAsync(List<int> chunk, List<int> throttled)
    {
        var batch = new TItem[chunk.Count];
        var cost = 0;
        for (var i = 0; i < chunk.Count; i++)
        {
            batch[i] = _items[chunk[i]];
            _attempts[chunk[i]]++;
            cost = checked(cost + ItemCost(batch[i]));
        }

        TResponse response;
        try
        {
            response = await _executor.ExecuteAsync(ct => _sendBatch(batch, ct), cost, _cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException canceled) when (_cancellationToken.IsCancellationRequested)
        {
            Finish(chunk, BatchItemStatus.Canceled, detail: null, canceled);
            return;
        }
        catch (Exception error)
        {
            // The executor has already retried a throttle of the whole call as far as the backoff allows.
            Finish(chunk, _executor.IsThrottle(error) ? BatchItemStatus.Throttled : BatchItemStatus.Failed, detail: null, error);
            return;
        }

        var outcomes = _readOutcomes(response, batch)
            ?? throw new InvalidOperationException("The batch outcome reader returned null; it must return one outcome per item sent.");
        if (outcomes.Count != batch.Length)
        {
            throw new InvalidOperationException($"The batch outcome reader returned {outcomes.Count} outcomes for a batch of {batch.Length} items; it must return one per item, in the order sent.");
        }

        var throttledHere = 0;
        for (var i = 0; i < batch.Length; i++)
        {
            var outcome = outcomes[i];
            switch (outcome.Status)
            {
                case BatchItemStatus.Succeeded:
                case BatchItemStatus.Failed:
                    Finish(chunk[i], outcome.Status, outcome.Detail, exception: null);
                    break;
                case BatchItemStatus.Throttled:
                    _lastDetail[chunk[i]] = outcome.Detail;
                    throttled.Add(chunk[i]);
                    throttledHere++;
                    break;
                default:
                    throw new InvalidOperationException($"The batch outcome reader returned {outcome.Status} for item {chunk[i]}; only Succeeded, Throttled or Failed describe an answer.");
            }
        }

        if (throttledHere > 0)
        {
            _executor.ReportBatchThrottles(throttledHere);
        }
    }

    private int ItemCost(TItem item)
    {
        if (_itemCost is null)
        {
            return 1;
        }

        var cost = _itemCost(item);
        return cost >= 0 ? cost : throw new InvalidOperationException($"The item cost function returned {cost}; a cost must not be negative.");
    }

    private void Finish(List<int> indexes, BatchItemStatus status, string? detail, Exception? exception)
    {
        foreach (var index in indexes)
        {
            Finish(index, status, detail, exception);
        }
    }

    private void Finish(int index, BatchItemStatus status, string? detail, Exception? exception)
        => _results[index] = new BatchItemResult<TItem>(_items[index], index, status, _attempts[index], detail, exception);
}
