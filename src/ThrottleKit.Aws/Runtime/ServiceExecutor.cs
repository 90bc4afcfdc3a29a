using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace ThrottleKit.Aws;

/// <summary>
/// The keyed <see cref="IThrottledExecutor"/> of a service: a container resolves it once, so it forwards to an executor over
/// the service's settings in force, made again when configuration changes.
/// </summary>
internal sealed class ServiceExecutor(Func<ThrottledExecutor> create) : IThrottledExecutor
{
    private volatile Lazy<ThrottledExecutor> _current = new(create);

    public void Reset() => _current = new Lazy<ThrottledExecutor>(create);

    public Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> operation, int cost = 1, CancellationToken cancellationToken = default)
        => _current.Value.ExecuteAsync(operation, cost, cancellationToken);

    public Task ExecuteAsync(Func<CancellationToken, Task> operation, int cost = 1, CancellationToken cancellationToken = default)
        => _current.Value.ExecuteAsync(operation, cost, cancellationToken);

    public Task<IReadOnlyList<BatchItemResult<TItem>>> ExecuteBatchAsync<TItem, TResponse>(
        IReadOnlyList<TItem> items,
        int maxBatchSize,
        Func<IReadOnlyList<TItem>, CancellationToken, Task<TResponse>> sendBatch,
        Func<TResponse, IReadOnlyList<TItem>, IReadOnlyList<BatchItemOutcome>> readOutcomes,
        Func<TItem, int>? itemCost = null,
        CancellationToken cancellationToken = default)
        => _current.Value.ExecuteBatchAsync(items, maxBatchSize, sendBatch, readOutcomes, itemCost, cancellationToken);
}
