using Polly;

namespace ThrottleKit;

/// <summary>What <see cref="ThrottlingStrategyOptions.ResultClassifier"/> is shown: a result an attempt returned (not an exception), and the call's context.</summary>
public readonly struct ThrottlingResultArguments
{
    internal ThrottlingResultArguments(object? result, ResilienceContext context)
    {
        Result = result;
        Context = context;
    }

    /// <summary>Gets what the attempt returned, e.g. an <c>HttpResponseMessage</c>.</summary>
    public object? Result { get; }

    /// <summary>Gets the call's context.</summary>
    public ResilienceContext Context { get; }
}
