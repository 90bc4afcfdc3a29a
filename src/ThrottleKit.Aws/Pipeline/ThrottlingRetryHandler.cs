using System.Globalization;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Util;
using ThrottleKit.Aws.DependencyInjection;
using ThrottleKit.Execution;

namespace ThrottleKit.Aws.Pipeline;

/// <summary>
/// Takes the place of the SDK's <see cref="RetryHandler"/> in a client built by a container with ThrottleKit. For a
/// client of a configured service, each call goes through that service's executor: each attempt takes its permits,
/// only throttles are retried, and the SDK's own retries are gone, so a call makes at most <c>MaxRetries + 1</c> HTTP
/// attempts in all. A client of any other service keeps the SDK's retry handler, untouched.
/// </summary>
internal sealed class ThrottlingRetryHandler : PipelineHandler
{
    private readonly RetryHandler _sdkRetryHandler;
    private readonly ThrottledAwsServices _services;
    private ServiceThrottle? _throttle;
    private volatile bool _resolved;

    public ThrottlingRetryHandler(RetryHandler sdkRetryHandler, ThrottledAwsServices services)
    {
        _sdkRetryHandler = sdkRetryHandler;
        _services = services;
    }

    public override void InvokeSync(IExecutionContext executionContext)
    {
        var throttle = Resolve(executionContext);
        if (throttle is null)
        {
            ForwardToSdk().InvokeSync(executionContext);
            return;
        }

        var requestContext = executionContext.RequestContext;
        if (IsInsideOwnExecutor(throttle))
        {
            PrepareAttempt(requestContext, 0, 1);
            base.InvokeSync(executionContext);
            return;
        }

        var (executor, cost) = throttle.Route(requestContext.OriginalRequest);
        var attempts = 0;

        // Only the SDK's synchronous API (.NET Framework) comes here; each attempt is itself synchronous, so waiting for
        // the executor blocks this thread just as the SDK's own retry handler would.
        executor.ExecuteAsync(
            _ =>
            {
                PrepareAttempt(requestContext, attempts++, throttle.MaxAttempts);
                base.InvokeSync(executionContext);
                return Task.CompletedTask;
            },
            cost,
            requestContext.CancellationToken).GetAwaiter().GetResult();
    }

    public override Task<T> InvokeAsync<T>(IExecutionContext executionContext)
    {
        var throttle = Resolve(executionContext);
        if (throttle is null)
        {
            return ForwardToSdk().InvokeAsync<T>(executionContext);
        }

        var requestContext = executionContext.RequestContext;
        if (IsInsideOwnExecutor(throttle))
        {
            PrepareAttempt(requestContext, 0, 1);
            return base.InvokeAsync<T>(executionContext);
        }

        var (executor, cost) = throttle.Route(requestContext.OriginalRequest);
        var attempts = 0;
        return executor.ExecuteAsync(
            _ =>
            {
                PrepareAttempt(requestContext, attempts++, throttle.MaxAttempts);
                return base.InvokeAsync<T>(executionContext);
            },
            cost,
            requestContext.CancellationToken);
    }

    /// <summary>
    /// What the SDK's retry handler does before each attempt: the invocation id and attempt number headers (services and
    /// proxies use them to recognise a retry), and before a retry, count it and rewind a streamed body.
    /// </summary>
    private static void PrepareAttempt(IRequestContext requestContext, int attempt, int maxAttempts)
    {
        var request = requestContext.Request;
        if (request is not null)
        {
            request.Headers["amz-sdk-invocation-id"] = requestContext.InvocationId.ToString();
            request.Headers["amz-sdk-request"] = "attempt=" + (attempt + 1).ToString(CultureInfo.InvariantCulture) + "; max=" + maxAttempts.ToString(CultureInfo.InvariantCulture);
        }

        if (attempt == 0)
        {
            return;
        }

        requestContext.Retries++;
        if (request?.ContentStream is { } stream && request.OriginalStreamPosition >= 0)
        {
            (stream as HashStream)?.Reset();
            if (stream.CanSeek)
            {
                stream.Position = request.OriginalStreamPosition;
            }
        }
    }

    /// <summary>
    /// Whether this call is an attempt of one of the service's own executors (the app wrapped a throttled client's call in
    /// the keyed executor, or sent a batch through it): that attempt has its permits and its retries already, so the call
    /// goes out once, as it is.
    /// </summary>
    private static bool IsInsideOwnExecutor(ServiceThrottle throttle) => ThrottledExecutor.Current is { } outer && throttle.Owns(outer);

    private ServiceThrottle? Resolve(IExecutionContext executionContext)
    {
        // A client's service id never changes, so the first call decides for all.
        if (!_resolved)
        {
            _throttle = _services.FindByServiceId(executionContext.RequestContext.ClientConfig?.ServiceId);
            _resolved = true;
        }

        return _throttle;
    }

    private RetryHandler ForwardToSdk()
    {
        _sdkRetryHandler.InnerHandler = InnerHandler;
        _sdkRetryHandler.OuterHandler = OuterHandler;
        _sdkRetryHandler.Logger ??= Logger;
        return _sdkRetryHandler;
    }
}
