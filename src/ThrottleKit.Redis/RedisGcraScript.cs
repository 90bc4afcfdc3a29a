using System;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace ThrottleKit.Redis;

/// <summary>
/// The bucket, kept in one Redis hash and changed only by this script, so each acquire is one atomic round trip. It is a
/// GCRA, like the in-process limiter: <c>tat</c> is when the bucket's debt is paid off (µs); a request fits when that is
/// no further ahead than the slack its cost leaves in the burst, otherwise the script reserves its place and answers how
/// long to wait, so nobody polls. The bucket's shape — its rate and burst — is stored with it by whoever makes it, and a
/// rate by whoever sets one (the adaptive rate, the account's quota); the stored shape wins over every caller's own, so a
/// fleet whose processes disagree spends one shape, never a blend. The key expires once the bucket has been full for a while.
/// </summary>
/// <remarks>
/// <para>
/// A bucket whose key is missing was never made, expired while full, or was lost (FLUSHALL, a restart without persistence,
/// a failover to a replica that had not seen it). A caller that has seen it sends its view — the <c>tat</c> and the time of
/// its last answer — and the script rebuilds the bucket from that view, carried to now with the debt it showed, instead of
/// handing out a fresh burst on top of the turns already reserved: the fleet kept reserving at the rate since that answer,
/// and a view read a second before the loss would otherwise hand that second's turns out twice. A view older than the key
/// could have lived (its debt plus the expiry) says nothing: the bucket may have expired full. The price of carrying the
/// debt: a bucket lost while its fleet had gone quiet comes back with the debt last seen, which callers wait out once. A view
/// from before an outage of the caller is not carried, only its <c>tat</c> stands as a floor: the turns reserved then were
/// given up when the circuit opened, and the fallbacks spent the quota meanwhile. A caller that has never seen
/// the bucket may ask for it to start empty but for one permit, as a fresh in-process bucket with <c>StartEmpty</c> does.
/// </para>
/// <para>
/// The rebuilt bucket remembers when it was lost. The first caller after a loss may hold the oldest view of the fleet, so
/// every caller whose view is from before the loss raises the bucket to that view once; each process's next answer is of
/// the rebuilt bucket. What a loss can over-admit is then what was granted before each process had called once.
/// </para>
/// </remarks>
internal static class RedisGcraScript
{
    // ARGV: mode, cost, rate, burst, jitter allowance (µs), longest acceptable wait (µs, -1 any), now (µs, -1 TIME), expiry (ms),
    // viewed tat (µs, -1 none), start empty (0|1), viewed at (µs, the 'now' of the answer that showed the tat; -1: the tat
    // alone, as a floor, not carried to now).
    // Mode 'rate' stores ARGV[3] as the rate; its ARGV[2] is the rate the caller had, for a bucket that has none stored yet.
    // Mode 'pause' moves tat to where one permit fits ARGV[2] µs from now (an empty bucket then), unless it is later already.
    // Replies: acquire {granted 0|1, wait µs, rate, burst, tat after, now}; rate {1}; pause {1}; refund {1}.
    public const string Source = """
        if ARGV[1] == 'warm' then return {1} end
        local now = tonumber(ARGV[7])
        if now < 0 then
          local t = redis.call('TIME')
          now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        end
        local mode = ARGV[1]
        local state = redis.call('HMGET', KEYS[1], 'tat', 'rate', 'burst', 'lost')
        local rate = tonumber(state[2]) or tonumber(mode == 'rate' and ARGV[2] or ARGV[3])
        local burst = tonumber(state[3]) or tonumber(ARGV[4])
        local interval = 1000000 / rate
        local expiry = tonumber(ARGV[8])
        local viewed = tonumber(ARGV[9])
        local viewedAt = tonumber(ARGV[11])
        local view = -1
        if viewed >= 0 then
          if viewedAt < 0 then
            view = viewed
          elseif now - viewedAt <= viewed - viewedAt + expiry * 1000 then
            view = viewed - viewedAt + now
          end
        end
        local tat = tonumber(state[1])
        local lost = tonumber(state[4])
        local rebuilt = false
        if not tat then
          if view >= 0 then
            tat = view
            lost = now
            rebuilt = true
          elseif ARGV[10] == '1' then
            tat = now + (burst - 1) * interval - tonumber(ARGV[5])
          else
            tat = now
          end
        elseif lost and view > tat and viewedAt >= 0 and viewedAt < lost then
          tat = view
          rebuilt = true
        end
        if tat < now then tat = now end
        local function save(newTat, newRate)
          if lost then
            redis.call('HSET', KEYS[1], 'tat', string.format('%.3f', newTat), 'rate', newRate, 'burst', burst, 'lost', string.format('%.0f', lost))
          else
            redis.call('HSET', KEYS[1], 'tat', string.format('%.3f', newTat), 'rate', newRate, 'burst', burst)
          end
          redis.call('PEXPIRE', KEYS[1], math.ceil((newTat - now) / 1000) + expiry)
        end
        if mode == 'rate' then
          local new = tonumber(ARGV[3])
          save(now + (tat - now) * rate / new, ARGV[3])
          return {1}
        end
        if mode == 'pause' then
          local paused = now + tonumber(ARGV[2]) + (burst - 1) * interval - tonumber(ARGV[5])
          if paused > tat then save(paused, tostring(rate)) end
          return {1}
        end
        local cost = tonumber(ARGV[2])
        if mode == 'refund' then
          if state[1] then
            redis.call('HSET', KEYS[1], 'tat', string.format('%.3f', math.max(now, tat - cost * interval)))
          end
          return {1}
        end
        local required = math.min(math.max(cost, 1), burst)
        local wait = (tat - now) - ((burst - required) * interval - tonumber(ARGV[5]))
        if wait < 0 then wait = 0 end
        local longest = tonumber(ARGV[6])
        if longest >= 0 and wait > longest then
          if rebuilt then save(tat, tostring(rate)) end
          return {0, math.ceil(wait), tostring(rate), burst, string.format('%.3f', tat), string.format('%.3f', now)}
        end
        tat = tat + cost * interval
        save(tat, tostring(rate))
        return {1, math.ceil(wait), tostring(rate), burst, string.format('%.3f', tat), string.format('%.3f', now)}
        """;

    /// <summary>The mode that touches nothing and answers at once: a connection's warm-up.</summary>
    public const string WarmUpMode = "warm";

    /// <summary>The key the warm-up names (the script never reads it).</summary>
    public const string WarmUpKey = "throttlekit:{warm-up}";

    /// <summary>Gets the script's SHA1, the name <c>EVALSHA</c> runs it by.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350:Do not use weak cryptographic algorithms", Justification = "Redis names scripts by their SHA1.")]
    public static byte[] Sha1 { get; } = ComputeSha1();

    /// <summary>
    /// Runs the script by its SHA1, loading it with EVAL where Redis lost it; <paramref name="roundTrip"/> is called once per
    /// round trip made.
    /// </summary>
    public static async Task<RedisResult> EvaluateAsync(IDatabase database, RedisKey[] keys, RedisValue[] arguments, CommandFlags flags, Action roundTrip)
    {
        roundTrip();
        try
        {
            return await database.ScriptEvaluateAsync(Sha1, keys, arguments, flags).ConfigureAwait(false);
        }
        catch (RedisServerException missing) when (missing.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            // The script cache is emptied by SCRIPT FLUSH, a restart or a failover; EVAL loads it again for everyone.
            roundTrip();
            var all = new object[3 + arguments.Length];
            all[0] = Source;
            all[1] = keys.Length;
            all[2] = keys[0];
            for (var i = 0; i < arguments.Length; i++)
            {
                all[3 + i] = arguments[i];
            }

            return await database.ExecuteAsync("EVAL", all, flags).ConfigureAwait(false);
        }
    }

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
