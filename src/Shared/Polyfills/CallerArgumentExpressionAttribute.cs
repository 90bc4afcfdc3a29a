#if !NET
namespace System.Runtime.CompilerServices;

/// <summary>netstandard2.0 lacks this attribute; the compiler recognises it by name and fills in the argument's text.</summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
internal sealed class CallerArgumentExpressionAttribute(string parameterName) : Attribute
{
    public string ParameterName { get; } = parameterName;
}
#endif
