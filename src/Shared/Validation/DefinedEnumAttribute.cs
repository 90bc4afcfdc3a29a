using System;
using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace ThrottleKit.Internal;

/// <summary>A defined value of an enum; the failure names the setting and its value.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class DefinedEnumAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is null || Enum.IsDefined(value.GetType(), value))
        {
            return ValidationResult.Success;
        }

        var name = validationContext.MemberName ?? validationContext.DisplayName;
        return new ValidationResult($"{name} must be one of {string.Join(", ", Enum.GetNames(value.GetType()))}; it is {Limits.Format(value)}.", name is null ? null : [name]);
    }
}
