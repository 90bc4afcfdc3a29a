using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Polly;

namespace ThrottleKit.Aws;

/// <summary>
/// Takes the place of the SDK's <see cref="RetryHandler"/> in a client built by a container with ThrottleKit. A call of a
/// configured service runs through the throttling pipeline of its bucket (its service, account, Region and operation
/// group): each attempt takes its permits, is signed when it leaves, and is retried only when throttled or when it provably
/// never reached the service, so a call makes at most <c>MaxRetries + 1</c> attempts in all; a clock-skew refusal is
/// corrected and sent again at once, as the SDK would. A client of any other service keeps the SDK's retry handler.
/// </summary>
internal sealed class ThrottlingRetryHandler : PipelineHandler
{
    private readonly RetryHandler _sdkRetryHandler;
    private readonly ThrottledAwsServices _services;
    private readonly ClientConstructionScope _construction;

    public ThrottlingRetryHandler(RetryHandler sdkRetryHandler, ClientConstructionScope construction)
    {
        _sdkRetryHandler = sdkRetryHandler;
        _services = construction.Services;
        _construction = construction;
    }

    internal ThrottledAwsServices Services => _services;

    /// <summary>Gets the retry policy of the SDK handler this one replaced: its clock-skew correction is the SDK's to make.</summary>
    internal RetryPolicy SdkRetryPolicy => _sdkRetryHandler.RetryPolicy;

    public override void InvokeSync(IExecutionContext executionContext)
    {
        if (_services.FindByServiceId(executionContext.RequestContext.ClientConfig?.ServiceId) is not { } throttle)
        {
            ForwardToSdk().InvokeSync(executionContext);
            return;
        }

        // Only the SDK's synchronous API (.NET Framework) comes here; each attempt is itself synchronous, so waiting for the
        // pipeline blocks this thread as the SDK's own retry handler would.
        RunAsync<AmazonWebServiceResponse>(throttle, executionContext, synchronous: true).GetAwaiter().GetResult();
    }

    public override Task<T> InvokeAsync<T>(IExecutionContext executionContext)
        => _services.FindByServiceId(executionContext.RequestContext.ClientConfig?.ServiceId) is { } throttle
            ? RunAsync<T>(throttle, executionContext, synchronous: false)
            : ForwardToSdk().InvokeAsync<T>(executionContext);

    internal Task<T> SendAsync<T>(IExecutionContext executionContext)
        where T : AmazonWebServiceResponse, new()
        => base.InvokeAsync<T>(executionContext);

    internal void Send(IExecutionContext executionContext) => base.InvokeSync(executionContext);

    private async Task<T> RunAsync<T>(ServiceThrottle throttle, IExecutionContext executionContext, bool synchronous)
        where T : AmazonWebServiceResponse, new()
    {
        var requestContext = executionContext.RequestContext;
        var (bucket, cost) = throttle.Route(requestContext, _construction.Client);
        var call = new AwsCall<T>(this, executionContext, bucket.Partition.ServiceKey, throttle.MaxAttempts, synchronous);
        var context = ResilienceContextPool.Shared.Get(requestContext.CancellationToken);
        context.Properties.Set(ThrottlingProperties.Cost, cost);
        context.Properties.Set(AwsBucket.CallKey, bucket.Throttling);
        if (PriorityScope.Current is null && throttle.PriorityOf(requestContext.OriginalRequest) is { } priority)
        {
            context.Properties.Set(ThrottlingProperties.Priority, priority);
        }

        try
        {
            return await throttle.Pipeline.ExecuteAsync(static (_, call) => call.AttemptAsync(), context, call).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private RetryHandler ForwardToSdk()
    {
        _sdkRetryHandler.InnerHandler = InnerHandler;
        _sdkRetryHandler.OuterHandler = OuterHandler;
        _sdkRetryHandler.Logger ??= Logger;
        return _sdkRetryHandler;
    }
}
