using System;
using System.ComponentModel.DataAnnotations;

namespace ThrottleKit;

/// <summary>On <see cref="ThrottlingStrategyOptions"/>: a call needs a bucket, the options' own or one the selector picks.</summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class RateLimiterOrSelectorAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
        => value is ThrottlingStrategyOptions { RateLimiter: null, BucketSelector: null }
            ? new ValidationResult(
                $"{nameof(ThrottlingStrategyOptions.RateLimiter)} is required. (Or set {nameof(ThrottlingStrategyOptions.BucketSelector)} to pick each call's bucket.)",
                [nameof(ThrottlingStrategyOptions.RateLimiter)])
            : ValidationResult.Success;
}
