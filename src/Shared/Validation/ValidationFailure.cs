namespace ThrottleKit.Internal;

/// <summary>One failing setting: its path (<c>Services:SES:RateLimit:PermitsPerSecond</c>), its value and what is wrong.</summary>
internal readonly struct ValidationFailure(string setting, object? value, string message)
{
    public string Setting { get; } = setting;

    public object? Value { get; } = value;

    public string Message { get; } = message;

    public override string ToString() => $"{Setting}: {Message}";
}
