using System.Diagnostics.CodeAnalysis;
using ThrottleKit;
using ThrottleKit.Internal;

namespace Polly;

/// <summary>Adds ThrottleKit's throttling strategy to a Polly pipeline.</summary>
public static class ThrottlingResiliencePipelineBuilderExtensions
{
    /// <summary>
    /// Adds throttling: each attempt first takes its permits from <see cref="ThrottlingStrategyOptions.RateLimiter"/> (the
    /// permits of <see cref="ThrottlingProperties.Cost"/>, 1 by default), throttles are retried after a capped exponential
    /// backoff, and every other outcome passes through unchanged — the very exception, with its stack trace. Stack it with
    /// Polly's other strategies: a timeout added after it bounds each attempt, one added before it the whole call.
    /// </summary>
    /// <typeparam name="TBuilder">The builder: <see cref="ResiliencePipelineBuilder"/> or <see cref="ResiliencePipelineBuilder{TResult}"/>.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The limiter, classifier and backoff; read when the pipeline is built.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="System.ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">The options are invalid; the message lists every failing setting and its value.</exception>
    public static TBuilder AddThrottling<TBuilder>(this TBuilder builder, ThrottlingStrategyOptions options)
        where TBuilder : ResiliencePipelineBuilderBase
        => builder.AddThrottling(options, created: null);

    /// <summary>As the public overload; <paramref name="created"/> is handed the strategy when the pipeline is built.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "All options members are preserved.")]
    internal static TBuilder AddThrottling<TBuilder>(this TBuilder builder, ThrottlingStrategyOptions options, System.Action<ThrottlingResilienceStrategy>? created)
        where TBuilder : ResiliencePipelineBuilderBase
    {
        Guard.NotNull(builder);
        Guard.NotNull(options);
        OptionsValidation.ThrowValidationException(options, $"The '{nameof(ThrottlingStrategyOptions)}' are invalid.");
        return builder.AddStrategy(
            context =>
            {
                var strategy = new ThrottlingResilienceStrategy(options, context.TimeProvider, context.Telemetry);
                created?.Invoke(strategy);
                return strategy;
            },
            options);
    }
}
