using System;
using System.Net.Http;
using System.Net.Sockets;
using System.Security.Authentication;

namespace ThrottleKit.Aws;

/// <summary>
/// Failures that provably never reached the service — the connection was refused, the host name did not resolve, the TLS
/// handshake failed — so a retry cannot do the work twice (the AWS SDK retries them too). Whatever may have reached it (a
/// reset or timed-out request, a 5xx) stays terminal.
/// </summary>
internal sealed class UnsentFailureClassifier : IThrottlingClassifier
{
    public static UnsentFailureClassifier Instance { get; } = new();

    public ThrottlingClassification Classify(Exception exception)
    {
        if (exception is not HttpRequestException http)
        {
            return ThrottlingClassification.Unknown;
        }

#if NET
        if (http.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError)
        {
            return ThrottlingClassification.Unsent;
        }
#endif
        return http.InnerException switch
        {
            SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData or SocketError.HostUnreachable or SocketError.NetworkUnreachable } => ThrottlingClassification.Unsent,
            AuthenticationException => ThrottlingClassification.Unsent,
            _ => ThrottlingClassification.Unknown,
        };
    }
}
