using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Primitives;
using ThrottleKit.Testing;

namespace ThrottleKit.Aws.Tests.SdkParity;

/// <summary>
/// Configuration is followed while the app runs: an edit of <c>appsettings.json</c> (loaded with <c>reloadOnChange</c>) changes
/// the rate of the running buckets; an invalid edit is refused and logged, and the last valid settings stay in force.
/// </summary>
public sealed class LiveConfigurationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("throttlekit-config-").FullName;

    private string SettingsFile => Path.Combine(_directory, "appsettings.json");

    [Fact]
    [Trait("Category", RealClock.Category)]
    public async Task Editing_the_JSON_file_changes_the_rate_of_a_running_app_and_an_invalid_edit_is_kept_out()
    {
        WriteRate("2");
        var configuration = new ConfigurationBuilder().AddJsonFile(SettingsFile, optional: false, reloadOnChange: true).Build();
        var collector = new FakeLogCollector();
        await using var provider = new ServiceCollection()
            .AddLogging(l => l.AddProvider(new FakeLoggerProvider(collector)))
            .AddThrottledAwsClients(configuration.GetSection("ThrottleKit"))
            .Services.BuildServiceProvider();
        await provider.GetRequiredKeyedService<IThrottledExecutor>(AwsServiceKeys.SimpleEmail).ExecuteAsync(_ => Task.CompletedTask);
        var state = provider.GetRequiredService<AwsThrottlingState>();
        double? Rate() => state.GetBuckets().Single().PermitsPerSecond;
        Assert.Equal(2, Rate());
        await using var lag = SchedulingLagProbe.Start();

        // Up, then down: each in force as soon as the configuration reloads. The file's change reaches the configuration
        // through the OS's file events and the configuration's own 250 ms debounce, which ThrottleKit does not control (CI
        // saw 1.25 s beside two CPU hogs while the lag probe saw nothing); from the reload on, the rate is ThrottleKit's.
        long reloaded = 0;
        using var watch = ChangeToken.OnChange(configuration.GetReloadToken, () => Interlocked.Exchange(ref reloaded, Stopwatch.GetTimestamp()));
        foreach (var rate in new[] { 20.0, 5.0 })
        {
            Interlocked.Exchange(ref reloaded, 0);
            WriteRate(rate.ToString(CultureInfo.InvariantCulture));
            var took = await Until(() => Rate() == rate);
            var seen = Stopwatch.GetTimestamp();
            var reload = Interlocked.Read(ref reloaded);
            Assert.True(reload != 0, $"The rate became {rate}/s {took.TotalMilliseconds:0} ms after the edit, with no reload of the configuration.");
            var sinceReload = Stopwatch.GetElapsedTime(reload, seen);
            var bound = TimeSpan.FromMilliseconds(100) + RealClock.LateTimestampAllowance(lag.MaxLag());
            Assert.True(sinceReload <= bound, $"The rate became {rate}/s {sinceReload.TotalMilliseconds:0} ms after the configuration reloaded ({took.TotalMilliseconds:0} ms after the edit); bound {bound.TotalMilliseconds:0} ms; load {RealClock.LoadAverage()}.");
        }

        // A rate that would stop the limiter limiting: refused, said so, and the running rate kept.
        WriteRate("1e-320");
        await Until(() => collector.GetSnapshot().Any(r => r.Id.Name == "ConfigurationRefused"));
        var refused = collector.GetSnapshot().Single(r => r.Id.Name == "ConfigurationRefused");
        Assert.Equal(LogLevel.Warning, refused.Level);
        Assert.Contains("PermitsPerSecond", refused.Message, StringComparison.Ordinal);
        Assert.Contains("1E-320", refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(5, Rate());
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Writes the settings whole, then moves them over the file, as an editor saves: the watcher never sees half a file.</summary>
    private void WriteRate(string rate)
    {
        var draft = Path.Combine(_directory, "draft.json");
        File.WriteAllText(draft, $$"""{ "ThrottleKit": { "Services": { "SES": { "RateLimit": { "PermitsPerSecond": {{rate}}, "Burst": 2 } } } } }""");
        File.Move(draft, SettingsFile, overwrite: true);
    }

    private static async Task<TimeSpan> Until(Func<bool> condition)
    {
        var started = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(20))
            {
                Assert.Fail("Configuration was not taken up within 20 s.");
            }

            await Task.Delay(5);
        }

        return Stopwatch.GetElapsedTime(started);
    }
}
