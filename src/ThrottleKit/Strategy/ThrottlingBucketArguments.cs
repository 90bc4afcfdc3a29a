using Polly;

namespace ThrottleKit;

/// <summary>What <see cref="ThrottlingStrategyOptions.BucketSelector"/> is given to pick a call's bucket.</summary>
public readonly struct ThrottlingBucketArguments
{
    /// <summary>Creates the arguments for the call of <paramref name="context"/>.</summary>
    /// <param name="context">The call's context.</param>
    public ThrottlingBucketArguments(ResilienceContext context) => Context = context;

    /// <summary>Gets the call's context: its properties say what the call is (e.g. a tenant, an account, an operation).</summary>
    public ResilienceContext Context { get; }
}
