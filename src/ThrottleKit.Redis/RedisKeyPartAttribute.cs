using System;
using System.ComponentModel.DataAnnotations;
using System.Linq;

namespace ThrottleKit.Redis;

/// <summary>
/// A part of a Redis key ThrottleKit writes (a prefix, a bucket name): 1 to 128 characters, no brace (braces mark the hash tag
/// that keeps a bucket in one Redis Cluster slot), no whitespace or control character. Checked at start, not on first use.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class RedisKeyPartAttribute : ValidationAttribute
{
    private const int MaxLength = 128;

    public static bool IsValid(string? value)
        => value is { Length: > 0 and <= MaxLength } && !value.Any(c => c is '{' or '}' || char.IsWhiteSpace(c) || char.IsControl(c));

    public static string Rule(string name, string? value)
        => $"{name} must be 1 to {MaxLength} characters, with no brace, whitespace or control character; it is '{value}'.";

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        var name = validationContext.MemberName ?? validationContext.DisplayName;
        return IsValid(value as string) ? ValidationResult.Success : new ValidationResult(Rule(name, value as string), [name]);
    }
}
