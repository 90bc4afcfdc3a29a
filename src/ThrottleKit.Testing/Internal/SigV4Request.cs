using System;
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace ThrottleKit.Testing;

/// <summary>What a SigV4-signed request says of itself: the access key and Region of its credential scope, and when it was signed.</summary>
internal readonly record struct SigV4Request(string Account, string Region, DateTimeOffset? SignedAt)
{
    public static SigV4Request Read(HttpRequest request)
    {
        // Authorization: AWS4-HMAC-SHA256 Credential=AKID/20261130/us-east-1/ses/aws4_request, SignedHeaders=…, Signature=…
        var account = "anonymous";
        var region = "unknown";
        var authorization = request.Headers.Authorization.ToString();
        var credential = authorization.IndexOf("Credential=", StringComparison.Ordinal);
        if (credential >= 0)
        {
            var end = authorization.IndexOf(',', credential);
            var scope = authorization[(credential + "Credential=".Length)..(end < 0 ? authorization.Length : end)].Split('/');
            if (scope.Length >= 3)
            {
                account = scope[0];
                region = scope[2];
            }
        }

        DateTimeOffset? signedAt = DateTimeOffset.TryParseExact(request.Headers["X-Amz-Date"].ToString(), "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : null;
        return new SigV4Request(account, region, signedAt);
    }
}
