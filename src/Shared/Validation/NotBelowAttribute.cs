using System;
using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace ThrottleKit.Internal;

/// <summary>On an options class: <c>property</c> must not be less than <c>other</c> (a maximum not below its minimum).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
internal sealed class NotBelowAttribute(string property, string other) : ValidationAttribute
{
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Options types are annotated so that their public properties are preserved.")]
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is null)
        {
            return ValidationResult.Success;
        }

        var type = value.GetType();
        var high = type.GetProperty(property)?.GetValue(value);
        var low = type.GetProperty(other)?.GetValue(value);
        if (high is IComparable comparable && low is not null && comparable.CompareTo(low) < 0)
        {
            return new ValidationResult($"{property} must be at least {other} ({Limits.Format(low)}); it is {Limits.Format(high)}.", [property]);
        }

        return ValidationResult.Success;
    }
}
