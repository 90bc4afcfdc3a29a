#if !NET
namespace System.Diagnostics.CodeAnalysis;

/// <summary>netstandard2.0 lacks this attribute; the trimmer and analyzers recognise it by name.</summary>
[AttributeUsage(AttributeTargets.All, Inherited = false, AllowMultiple = true)]
internal sealed class UnconditionalSuppressMessageAttribute(string category, string checkId) : Attribute
{
    public string Category { get; } = category;

    public string CheckId { get; } = checkId;

    public string? Justification { get; set; }
}
#endif
