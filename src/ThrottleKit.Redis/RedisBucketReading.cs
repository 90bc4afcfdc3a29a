namespace ThrottleKit.Redis;

/// <summary>What a bucket held when Redis last answered this process: its debt (µs), rate and burst, and when (local timestamp).</summary>
internal sealed record RedisBucketReading(double DebtMicroseconds, double Rate, int Burst, long Timestamp);
