using System;
using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace ThrottleKit.Aws;

/// <summary>An AWS account id: twelve digits, or unset.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class AccountIdSettingAttribute : ValidationAttribute
{
    public static bool IsValid(string? account)
    {
        if (account is null)
        {
            return true;
        }

        if (account.Length != 12)
        {
            return false;
        }

        foreach (var c in account)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (IsValid(value as string))
        {
            return ValidationResult.Success;
        }

        var name = validationContext.MemberName ?? validationContext.DisplayName;
        return new ValidationResult($"{name} must be an AWS account id of twelve digits, such as 123456789012; it is '{value}'.", name is null ? null : [name]);
    }
}
