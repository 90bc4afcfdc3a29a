using System;
using System.Threading;

namespace ThrottleKit.Aws;

/// <summary>
/// Which container is building an SDK client right now. The SDK's pipeline customizer hook is process-wide, but a
/// client's pipeline is customized inside its constructor, on the constructing thread: marking the construction lets
/// the hook bind each client to the limiters of the container that built it, and leave every other client alone.
/// </summary>
internal sealed class ClientConstructionScope
{
    private static readonly AsyncLocal<ClientConstructionScope?> CurrentScope = new();

    private ClientConstructionScope(ThrottledAwsServices services) => Services = services;

    public static ClientConstructionScope? Current => CurrentScope.Value;

    public ThrottledAwsServices Services { get; }

    /// <summary>Gets the client built in this scope, once its constructor has returned: the pipeline it customized reads its account's quota through it.</summary>
    public object? Client { get; private set; }

    /// <summary>Gets how many client pipelines were customized in this scope.</summary>
    public int CustomizedPipelines { get; private set; }

    /// <summary>Runs <paramref name="construct"/> as this container's construction; returns how many client pipelines it customized.</summary>
    public static int Construct(ThrottledAwsServices services, Func<object> construct, out object client)
    {
        // Joining the SDK's pipelines is process-wide; done when a container first builds a client, never at registration.
        ThrottlingPipelineCustomizer.EnsureRegistered();
        var previous = CurrentScope.Value;
        var scope = new ClientConstructionScope(services);
        CurrentScope.Value = scope;
        try
        {
            client = construct();
            scope.Client = client;
            return scope.CustomizedPipelines;
        }
        finally
        {
            CurrentScope.Value = previous;
        }
    }

    public void OnCustomized() => CustomizedPipelines++;
}
