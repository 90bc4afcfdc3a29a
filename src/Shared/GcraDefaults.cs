using System;

namespace ThrottleKit.Internal;

/// <summary>The defaults a GCRA bucket takes where its options leave a setting open; the same in the process and in Redis.</summary>
internal static class GcraDefaults
{
    /// <summary>The burst a bucket uses: the one set, or one second of rate (at least 1) when none is.</summary>
    public static int EffectiveBurst(double permitsPerSecond, int? burst)
        => burst ?? (int)Math.Max(1, Math.Min(Limits.MaxPermits, Math.Floor(permitsPerSecond)));
}
