namespace ThrottleKit.Aws;

/// <summary>What one bucket of a throttled AWS service holds at a moment (<see cref="AwsThrottlingState.GetBuckets"/>).</summary>
/// <param name="ServiceKey">The service key, e.g. <c>SES</c>.</param>
/// <param name="Region">The Region, e.g. <c>us-east-1</c>, or <c>*</c> for a keyed executor's bucket.</param>
/// <param name="Account">The AWS account the bucket is for (<c>123456789012</c>: from the credentials, or <c>AccountId</c> in the options), or <c>*</c> when neither names one (the Region's one bucket for the service). Never an access key.</param>
/// <param name="Operation">The operation the bucket is its own, or <see langword="null"/> for the service's rate.</param>
/// <param name="PermitsPerSecond">The rate in force, or <see langword="null"/> when the bucket's store cannot tell.</param>
/// <param name="AvailablePermits">The whole permits a request could take now (negative while a borrower's debt is paid back), or <see langword="null"/> when unknown. For a bucket kept in Redis: what Redis's last answer to this process held, refilled since by time alone.</param>
/// <param name="QueuedPermits">The permits waiting in the queue.</param>
public sealed record AwsBucketState(string ServiceKey, string Region, string Account, string? Operation, double? PermitsPerSecond, long? AvailablePermits, long QueuedPermits);
