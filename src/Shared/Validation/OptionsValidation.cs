using System;
using System.Collections;
using System.Collections.Generic;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;

namespace ThrottleKit.Internal;

/// <summary>
/// Checks an options object against the validation attributes on it and, recursively, on the options objects it holds
/// (dictionary values included), and collects every failure with the setting's path: the one rule book that constructors,
/// <c>AddThrottling</c> and the DI validators all read.
/// </summary>
internal static class OptionsValidation
{
    /// <summary>Every failure of <paramref name="options"/>, each prefixed with its setting's path under <paramref name="path"/>.</summary>
    public static List<ValidationFailure> Collect(object options, string path)
    {
        var failures = new List<ValidationFailure>();
        Walk(options, path, failures);
        return failures;
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first failing setting and its value, with every failure in the message.</summary>
    public static void ThrowIfInvalid<T>(T options, string paramName)
        where T : class
    {
        var failures = Collect(Guard.NotNull(options, paramName), string.Empty);
        if (failures.Count > 0)
        {
            throw new ArgumentOutOfRangeException(failures[0].Setting, failures[0].Value, Describe(failures));
        }
    }

    /// <summary>Throws a <see cref="ValidationException"/> in Polly's shape: a heading, then every failure on a line of its own.</summary>
    public static void ThrowValidationException<T>(T options, string heading)
        where T : class
    {
        var failures = Collect(options, string.Empty);
        if (failures.Count > 0)
        {
            throw new ValidationException($"{heading}{Environment.NewLine}{Environment.NewLine}Validation Errors:{Environment.NewLine}{Describe(failures)}");
        }
    }

    public static string Describe(List<ValidationFailure> failures) => string.Join(Environment.NewLine, failures);

    // The options types' public properties are all read by the code that builds the limiters from them, so the trimmer
    // keeps them; a property it did drop would hold no setting to check.
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "See above.")]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "See above.")]
    private static void Walk(object options, string path, List<ValidationFailure> failures)
    {
        var type = options.GetType();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetMethod is null)
            {
                continue;
            }

            var value = property.GetValue(options);
            var setting = Join(path, property.Name);
            var context = new ValidationContext(options) { MemberName = property.Name, DisplayName = property.Name };
            foreach (var attribute in property.GetCustomAttributes<ValidationAttribute>())
            {
                if (attribute.GetValidationResult(value, context) is { } result && result != ValidationResult.Success)
                {
                    failures.Add(new ValidationFailure(setting, value, result.ErrorMessage ?? $"{property.Name} is invalid."));
                }
            }

            if (property.GetCustomAttribute<ValidateNestedAttribute>() is null || value is null)
            {
                continue;
            }

            if (value is IDictionary dictionary)
            {
                foreach (DictionaryEntry entry in dictionary)
                {
                    var entryPath = Join(setting, Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty);
                    if (entry.Value is null)
                    {
                        failures.Add(new ValidationFailure(entryPath, null, $"{entryPath} is null."));
                    }
                    else
                    {
                        Walk(entry.Value, entryPath, failures);
                    }
                }
            }
            else
            {
                Walk(value, setting, failures);
            }
        }

        var objectContext = new ValidationContext(options);
        foreach (var attribute in type.GetCustomAttributes<ValidationAttribute>())
        {
            if (attribute.GetValidationResult(options, objectContext) is { } result && result != ValidationResult.Success)
            {
                foreach (var member in result.MemberNames is { } names && names.GetEnumerator().MoveNext() ? result.MemberNames : [string.Empty])
                {
                    var setting = member.Length == 0 ? path : Join(path, member);
                    failures.Add(new ValidationFailure(setting, member.Length == 0 ? null : type.GetProperty(member)?.GetValue(options), result.ErrorMessage ?? $"{setting} is invalid."));
                }
            }
        }
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : path + ":" + name;
}
