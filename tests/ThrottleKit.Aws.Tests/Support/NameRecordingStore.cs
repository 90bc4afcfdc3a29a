using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading.RateLimiting;

namespace ThrottleKit.Aws.Tests.Support;

/// <summary>A store that keeps buckets in memory, as ThrottleKit's own does, and notes the names they are kept under (a Redis store's keys).</summary>
internal sealed class NameRecordingStore : IRateLimiterStore
{
    private readonly ConcurrentQueue<string> _names = new();

    /// <summary>The names of the buckets made, in order.</summary>
    public IEnumerable<string> Names => _names;

    public RateLimiter CreateLimiter(string bucketName, GcraRateLimiterOptions options, TimeProvider timeProvider)
    {
        _names.Enqueue(bucketName);
        return new GcraRateLimiter(options, timeProvider);
    }
}
