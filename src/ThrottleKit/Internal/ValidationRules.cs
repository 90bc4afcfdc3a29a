using System;
using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace ThrottleKit.Internal;

/// <summary>The ranges every ThrottleKit setting is held to, in one place.</summary>
internal static class Limits
{
    /// <summary>The slowest rate: one permit in about 11.6 days. Anything slower (a denormal, say) is no limit a service has.</summary>
    public const double MinRate = 1e-6;

    /// <summary>The fastest rate: a billion permits a second.</summary>
    public const double MaxRate = 1e9;

    /// <summary>The largest burst, and the largest cost of one request.</summary>
    public const int MaxPermits = 1_000_000_000;

    /// <summary>The longest delay or interval any setting may ask for.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(1);

    public static string Format(object? value) => value switch
    {
        null => "null",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}

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
