using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Tasks;

namespace ThrottleKit.Harness;

/// <summary>A harness build run as a child process (the fleet's and the cold start's workers, the twin on the newest SDK).</summary>
internal static class ChildProcess
{
    /// <summary>Starts <c>dotnet <paramref name="assembly"/> <paramref name="arguments"/></c> at once and returns what it printed once it exits.</summary>
    /// <param name="assembly">The harness build to run.</param>
    /// <param name="arguments">Its command line.</param>
    /// <param name="what">What it is, for the message if it fails.</param>
    /// <returns>Its standard output.</returns>
    /// <exception cref="InvalidOperationException">It exited with a code other than 0; the message holds what it printed.</exception>
    public static async Task<string> RunAsync(string assembly, IEnumerable<string> arguments, string what)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(assembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{what} failed ({process.ExitCode}): {await errors.ConfigureAwait(false)}{await output.ConfigureAwait(false)}");
        }

        return await output.ConfigureAwait(false);
    }

    /// <summary>The report a child printed as its last line, in JSON.</summary>
    /// <typeparam name="T">The report's type.</typeparam>
    /// <param name="output">What the child printed.</param>
    /// <returns>The report.</returns>
    public static T LastJsonLine<T>(string output) => JsonSerializer.Deserialize<T>(output.Trim().Split('\n')[^1])!;
}
