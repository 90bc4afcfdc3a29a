using System;
using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace ThrottleKit.Internal;

/// <summary>A duration within [0, maximum] (one day unless said otherwise); the failure names the setting and its value.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class DurationRangeAttribute(string minimum = "00:00:00", string maximum = "1.00:00:00") : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is not TimeSpan duration)
        {
            return ValidationResult.Success;
        }

        var min = TimeSpan.Parse(minimum, CultureInfo.InvariantCulture);
        var max = TimeSpan.Parse(maximum, CultureInfo.InvariantCulture);
        if (duration >= min && duration <= max)
        {
            return ValidationResult.Success;
        }

        var name = validationContext.MemberName ?? validationContext.DisplayName;
        return new ValidationResult($"{name} must be between {Limits.Format(min)} and {Limits.Format(max)}; it is {Limits.Format(duration)}.", name is null ? null : [name]);
    }
}
