using System;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;

namespace ThrottleKit.Aws;

/// <summary>
/// Reads SES's sending quota through the SES client the app already has: <c>GetSendQuota</c> on an SES v1 client,
/// <c>GetAccount</c> (its <c>SendQuota</c>) on an SES v2 client. ThrottleKit depends on AWSSDK.Core alone, so the operation is
/// found by its name and shape on the client's type (<c>XxxAsync(XxxRequest, CancellationToken)</c>, the SDK's pattern for
/// every operation), and the figures by their names; SDK v4's nullable numbers and v3's plain ones both read.
/// </summary>
/// <remarks>
/// In a trimmed app, an operation the app never calls may be trimmed away with its response's members: then there is no
/// reader, or its reads fail and are logged, and the configured rate applies, as it does without a reading.
/// </remarks>
[System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Without the operation there is no reading; the configured rate applies.")]
[System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "The request type is the operation's parameter, kept with it.")]
[System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "A trimmed member reads as missing; the read fails, is logged, and the configured rate applies.")]
internal static class SimpleEmailAccountQuota
{
    /// <summary>The reader of <paramref name="client"/>'s account quota, or <see langword="null"/> when it is not an SES client.</summary>
    public static Func<CancellationToken, Task<AccountQuota>>? ReaderFor(object client)
    {
        if (Operation(client.GetType(), "GetSendQuotaAsync") is { } getSendQuota)
        {
            return async ct => FromSendQuota(await InvokeAsync(client, getSendQuota, ct).ConfigureAwait(false), "GetSendQuota");
        }

        if (Operation(client.GetType(), "GetAccountAsync") is { } getAccount)
        {
            return async ct =>
            {
                var account = await InvokeAsync(client, getAccount, ct).ConfigureAwait(false);
                return FromSendQuota(Property(account, "SendQuota"), "GetAccount");
            };
        }

        return null;
    }

    private static MethodInfo? Operation(Type clientType, string name)
        => clientType.GetMethods(BindingFlags.Public | BindingFlags.Instance).FirstOrDefault(m =>
            m.Name == name
            && m.ReturnType.IsGenericType
            && m.ReturnType.GetGenericTypeDefinition() == typeof(Task<>)
            && m.GetParameters() is { Length: 2 } parameters
            && typeof(AmazonWebServiceRequest).IsAssignableFrom(parameters[0].ParameterType)
            && parameters[0].ParameterType.GetConstructor(Type.EmptyTypes) is not null
            && parameters[1].ParameterType == typeof(CancellationToken));

    private static async Task<object?> InvokeAsync(object client, MethodInfo operation, CancellationToken cancellationToken)
    {
        var request = Activator.CreateInstance(operation.GetParameters()[0].ParameterType);
        var task = (Task)operation.Invoke(client, [request, cancellationToken])!;
        await task.ConfigureAwait(false);
        return task.GetType().GetProperty("Result")!.GetValue(task);
    }

    private static AccountQuota FromSendQuota(object? quota, string operation)
    {
        var rate = Number(quota, "MaxSendRate")
            ?? throw new InvalidOperationException($"SES's {operation} answered without a MaxSendRate; the configured rate stays.");
        var max24Hour = Number(quota, "Max24HourSend");
        return new AccountQuota(
            rate,
            max24HourPermits: max24Hour is >= 0 ? max24Hour : null,   // SES answers −1 for no 24-hour limit
            usedLast24Hours: Number(quota, "SentLast24Hours"));
    }

    private static double? Number(object? owner, string name) => Property(owner, name) switch
    {
        double value => value,
        long value => value,
        int value => value,
        _ => null,
    };

    private static object? Property(object? owner, string name) => owner?.GetType().GetProperty(name)?.GetValue(owner);
}
