using System.Security.Cryptography;
using System.Text;

namespace ThrottleKit.Redis;

/// <summary>
/// The bucket, kept in one Redis hash and changed only by this script, so each acquire is one atomic round trip. It is a
/// GCRA, like the in-process limiter: <c>tat</c> is when the bucket's debt is paid off (µs); a request fits when that is
/// no further ahead than the slack its cost leaves in the burst, otherwise the script reserves its place and answers how
/// long to wait, so nobody polls. The rate is stored in the hash once anyone sets it (the adaptive rate, the account's
/// quota) and then wins over the caller's, so the fleet shares it. The key expires once the bucket has been full for a while.
/// </summary>
internal static class RedisGcraScript
{
    // ARGV: mode, cost, rate, burst, jitter allowance (µs), longest acceptable wait (µs, -1 any), now (µs, -1 TIME), expiry (ms).
    // Mode 'rate' stores ARGV[3] as the rate; its ARGV[2] is the rate the caller had, for a bucket that has none stored yet.
    // Replies: acquire {granted 0|1, wait µs, rate}; rate {1}; refund {1}.
    public const string Source = """
        local now = tonumber(ARGV[7])
        if now < 0 then
          local t = redis.call('TIME')
          now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        end
        local mode = ARGV[1]
        local state = redis.call('HMGET', KEYS[1], 'tat', 'rate')
        local rate = tonumber(state[2]) or tonumber(mode == 'rate' and ARGV[2] or ARGV[3])
        local tat = tonumber(state[1]) or now
        if tat < now then tat = now end
        local expiry = tonumber(ARGV[8])
        if mode == 'rate' then
          local new = tonumber(ARGV[3])
          tat = now + (tat - now) * rate / new
          redis.call('HSET', KEYS[1], 'tat', string.format('%.3f', tat), 'rate', ARGV[3])
          redis.call('PEXPIRE', KEYS[1], math.ceil((tat - now) / 1000) + expiry)
          return {1}
        end
        local cost = tonumber(ARGV[2])
        local interval = 1000000 / rate
        if mode == 'refund' then
          if state[1] then
            redis.call('HSET', KEYS[1], 'tat', string.format('%.3f', math.max(now, tat - cost * interval)))
          end
          return {1}
        end
        local burst = tonumber(ARGV[4])
        local required = math.min(math.max(cost, 1), burst)
        local wait = (tat - now) - ((burst - required) * interval - tonumber(ARGV[5]))
        if wait < 0 then wait = 0 end
        local longest = tonumber(ARGV[6])
        if longest >= 0 and wait > longest then
          return {0, math.ceil(wait), tostring(rate)}
        end
        tat = tat + cost * interval
        redis.call('HSET', KEYS[1], 'tat', string.format('%.3f', tat))
        redis.call('PEXPIRE', KEYS[1], math.ceil((tat - now) / 1000) + expiry)
        return {1, math.ceil(wait), tostring(rate)}
        """;

    /// <summary>Gets the script's SHA1, the name <c>EVALSHA</c> runs it by.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350:Do not use weak cryptographic algorithms", Justification = "Redis names scripts by their SHA1.")]
    public static byte[] Sha1 { get; } = ComputeSha1();

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350:Do not use weak cryptographic algorithms", Justification = "Redis names scripts by their SHA1.")]
    private static byte[] ComputeSha1()
    {
#if NET
        return SHA1.HashData(Encoding.UTF8.GetBytes(Source));
#else
        using var sha1 = SHA1.Create();
        return sha1.ComputeHash(Encoding.UTF8.GetBytes(Source));
#endif
    }
}
