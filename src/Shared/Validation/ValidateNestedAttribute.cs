using System;

namespace ThrottleKit.Internal;

/// <summary>Marks a property whose value (an options object, or a dictionary of them) is validated too.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class ValidateNestedAttribute : Attribute
{
}
