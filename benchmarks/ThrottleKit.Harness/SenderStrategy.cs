using System;
using System.Threading;
using System.Threading.Tasks;
using ThrottleKit.Testing;

namespace ThrottleKit.Harness;

/// <summary>One way of calling the rate-limited service, set up against an emulator.</summary>
/// <param name="Name">The row's name in the report.</param>
/// <param name="Connect">Builds the caller; the returned object is disposed after the run.</param>
public sealed record SenderStrategy(string Name, Func<SesEmulator, GoodputOptions, ISender> Connect);

/// <summary>Sends one call; throws what the client threw.</summary>
public interface ISender : IAsyncDisposable
{
    /// <summary>Makes one call.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the call does.</returns>
    Task SendAsync(CancellationToken cancellationToken);

    /// <summary>Gets the client-side rate limit in force, when the strategy has one.</summary>
    double? CurrentRate => null;
}
