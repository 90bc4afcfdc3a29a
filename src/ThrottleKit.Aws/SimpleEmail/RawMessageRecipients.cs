using System;
using System.Collections.Generic;
using System.IO;
using MimeKit;

namespace ThrottleKit.Aws;

/// <summary>
/// The recipients SES takes from a raw message that names no destinations: its To, Cc and Bcc headers, each member of a
/// group, each address once. Only the headers are parsed; the body is never read, and the stream is left where it was.
/// </summary>
internal static class RawMessageRecipients
{
    public static int Count(Stream? data)
    {
        if (data is not { CanSeek: true, CanRead: true })
        {
            return 0;
        }

        var position = data.Position;
        try
        {
            var headers = HeaderList.Load(data);
            var addresses = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var header in headers)
            {
                if (header.Id is HeaderId.To or HeaderId.Cc or HeaderId.Bcc && InternetAddressList.TryParse(header.RawValue, out var list))
                {
                    foreach (var mailbox in list.Mailboxes)
                    {
                        addresses.Add(mailbox.Address);
                    }
                }
            }

            return addresses.Count;
        }
        catch (FormatException)
        {
            // Not a message SES would take either; it will say so. Counted as one.
            return 0;
        }
        finally
        {
            data.Position = position;
        }
    }
}
