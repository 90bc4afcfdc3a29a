using System;
using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace ThrottleKit.Internal;

/// <summary>A value that must be set; the failure names the setting.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class RequiredSettingAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        var name = validationContext.MemberName ?? validationContext.DisplayName;
        return value is null ? new ValidationResult($"{name} is required.", name is null ? null : [name]) : ValidationResult.Success;
    }
}
