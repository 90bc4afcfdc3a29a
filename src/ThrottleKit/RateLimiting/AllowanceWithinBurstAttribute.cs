using System;
using System.ComponentModel.DataAnnotations;
using System.Globalization;

using ThrottleKit.Internal;

namespace ThrottleKit;

/// <summary>
/// On <see cref="GcraRateLimiterOptions"/>: a jitter allowance the burst can hold in hand. With a burst of 2 or more the
/// allowance comes out of the burst, so it may be at most (Burst − 1) ÷ rate; past that it would quietly cut the sustained
/// rate (100/s, burst 10 and a 1 s allowance grant 1.7/s). With a burst of 1 it lengthens each interval, as documented.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class AllowanceWithinBurstAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is not GcraRateLimiterOptions options || !(options.PermitsPerSecond > 0) || double.IsInfinity(options.PermitsPerSecond))
        {
            return ValidationResult.Success;
        }

        // In seconds as a double: (burst − 1) ÷ a tiny rate is longer than any TimeSpan.
        var burst = GcraDefaults.EffectiveBurst(options.PermitsPerSecond, options.Burst);
        var mostSeconds = (burst - 1) / options.PermitsPerSecond;
        if (burst < 2 || options.JitterAllowance.TotalSeconds <= mostSeconds)
        {
            return ValidationResult.Success;
        }

        return new ValidationResult(
            $"JitterAllowance must be at most (Burst - 1) / PermitsPerSecond = ({burst} - 1) / {Limits.Format(options.PermitsPerSecond)} = {(mostSeconds * 1000).ToString("0.###", CultureInfo.InvariantCulture)} ms; it is {options.JitterAllowance.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture)} ms, " +
            "which would cut the sustained rate. Lower JitterAllowance or raise Burst.",
            [nameof(GcraRateLimiterOptions.JitterAllowance)]);
    }
}
