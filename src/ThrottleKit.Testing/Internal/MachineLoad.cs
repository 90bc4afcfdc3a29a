using System;
using System.Globalization;
using System.IO;

namespace ThrottleKit.Testing;

/// <summary>The machine's load, for a failure message: a test that measures time wants to say how busy the machine was.</summary>
internal static class MachineLoad
{
    public static string Describe()
    {
        var processors = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture);
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"load average {fields[0]} {fields[1]} {fields[2]} on {processors} cores";
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return $"load average unknown on {processors} cores";
        }
    }
}
