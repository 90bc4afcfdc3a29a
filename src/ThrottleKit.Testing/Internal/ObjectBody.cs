using System;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace ThrottleKit.Testing;

/// <summary>
/// The body of an S3-style upload as S3 checks it: the payload hash the request was signed with, or the length declared for an
/// <c>aws-chunked</c> body, must match what arrived; a retry that sent its stream from where the last attempt left it fails so.
/// </summary>
internal static class ObjectBody
{
    public static (string Code, string Message)? Check(HttpRequest request, byte[] payload)
    {
        var declaredHash = request.Headers["x-amz-content-sha256"].ToString();
        if (IsChunked(request))
        {
            var decoded = Decode(request, payload);
            return long.TryParse(request.Headers["x-amz-decoded-content-length"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                   && length != decoded.Length
                ? ("IncompleteBody", $"You did not provide the number of bytes specified by the Content-Length HTTP header: {length} declared, {decoded.Length} sent.")
                : null;
        }

        if (declaredHash.Length == 64 && !string.Equals(declaredHash, Convert.ToHexStringLower(SHA256.HashData(payload)), StringComparison.OrdinalIgnoreCase))
        {
            return ("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.");
        }

        return null;
    }

    /// <summary>The object's bytes: the body itself, or the data of its chunks when it was sent <c>aws-chunked</c>.</summary>
    public static byte[] Decode(HttpRequest request, byte[] payload)
    {
        if (!IsChunked(request))
        {
            return payload;
        }

        // <hex size>[;chunk-signature=…]\r\n<data>\r\n … 0[;…]\r\n[trailers]\r\n
        using var data = new MemoryStream();
        var at = 0;
        while (at < payload.Length)
        {
            var lineEnd = IndexOfCrLf(payload, at);
            if (lineEnd < 0)
            {
                break;
            }

            var header = Encoding.ASCII.GetString(payload, at, lineEnd - at);
            var semicolon = header.IndexOf(';', StringComparison.Ordinal);
            if (!int.TryParse(semicolon < 0 ? header : header[..semicolon], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var size) || size == 0)
            {
                break;
            }

            at = lineEnd + 2;
            data.Write(payload, at, Math.Min(size, payload.Length - at));
            at += size + 2;
        }

        return data.ToArray();
    }

    private static bool IsChunked(HttpRequest request)
        => request.Headers.ContentEncoding.ToString().Contains("aws-chunked", StringComparison.OrdinalIgnoreCase)
           || request.Headers["x-amz-content-sha256"].ToString().StartsWith("STREAMING-", StringComparison.Ordinal);

    private static int IndexOfCrLf(byte[] bytes, int from)
    {
        for (var i = from; i + 1 < bytes.Length; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n')
            {
                return i;
            }
        }

        return -1;
    }
}
