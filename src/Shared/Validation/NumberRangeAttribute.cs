using System;
using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace ThrottleKit.Internal;

/// <summary>A number within [minimum, maximum]; the failure names the setting and its value. NaN and infinities always fail.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class NumberRangeAttribute(double minimum, double maximum, string unit = "") : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        var number = value switch
        {
            null => (double?)null,
            double d => d,
            int i => i,
            long l => l,
            _ => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        };
        if (number is null || (number >= minimum && number <= maximum))
        {
            return ValidationResult.Success;
        }

        var name = validationContext.MemberName ?? validationContext.DisplayName;
        return new ValidationResult(
            $"{name} must be between {Limits.Format(minimum)} and {Limits.Format(maximum)}{unit}; it is {Limits.Format(value)}.",
            name is null ? null : [name]);
    }
}
