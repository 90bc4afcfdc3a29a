using System;
using System.Linq;
using Amazon.Runtime.Internal;

namespace ThrottleKit.Aws;

/// <summary>
/// Registered once per process with the SDK's <see cref="RuntimePipelineCustomizerRegistry"/> (a second registration under
/// the same name is ignored). It holds no state: it acts only on clients built inside a <see cref="ClientConstructionScope"/>,
/// replacing their SDK retry handler with a <see cref="ThrottlingRetryHandler"/> bound to that scope's container.
/// </summary>
internal sealed class ThrottlingPipelineCustomizer : IRuntimePipelineCustomizer
{
    public const string Name = "ThrottleKit.ThrottlingPipelineCustomizer";

    public string UniqueName => Name;

    public static void EnsureRegistered() => RuntimePipelineCustomizerRegistry.Instance.Register(new ThrottlingPipelineCustomizer());

    public void Customize(Type serviceClientType, RuntimePipeline pipeline)
    {
        var scope = ClientConstructionScope.Current;
        if (scope is null || pipeline is null)
        {
            return;
        }

        // ReplaceHandler matches the exact type; a client with a retry handler of its own making is left as it is
        // (and the container reports that it could not throttle it).
        var sdkRetry = pipeline.Handlers.OfType<RetryHandler>().FirstOrDefault(h => h.GetType() == typeof(RetryHandler));
        if (sdkRetry is null)
        {
            return;
        }

        pipeline.ReplaceHandler<RetryHandler>(new ThrottlingRetryHandler(sdkRetry, scope));
        scope.OnCustomized();
    }
}
