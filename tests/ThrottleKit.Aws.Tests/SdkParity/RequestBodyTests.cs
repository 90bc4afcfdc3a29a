using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.DependencyInjection;
using ThrottleKit.Aws.Tests.Support;
using ThrottleKit.Testing;

namespace ThrottleKit.Aws.Tests.SdkParity;

/// <summary>
/// A throttled upload is sent again whole: its body stream is rewound before the retry, or, when it cannot be, the retry is
/// refused with an error that says why. An S3 client uploads to the emulator, which answers 503 <c>SlowDown</c> past its
/// quota and, as S3 does, refuses a body that is not the one the request was signed for.
/// </summary>
public class RequestBodyTests
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(7);

    private static readonly byte[] Content =Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("throttled but whole; ", 500)));

    [Theory]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5351:Do not use broken cryptographic algorithms", Justification = "S3's ETag is the MD5 of the object.")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_throttled_upload_from_a_seekable_stream_is_rewound_and_stored_whole(bool chunked)
    {
        var (emulator, provider, time) = await StartAsync();
        await using var _ = emulator;
        await using var __ = provider;
        var s3 = provider.GetRequiredService<IAmazonS3>();

        var upload = s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = "mail",
            Key = "second",
            InputStream = new MemoryStream(Content),
            UseChunkEncoding = chunked,
        });
        await UntilRetryWaits(time, upload, emulator);
        emulator.ChangeQuota(1000, 1000);
        emulator.AdvanceClock(RetryDelay);
        time.Advance(RetryDelay);
        var response = await upload.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("\"" + Convert.ToHexStringLower(MD5.HashData(Content)) + "\"", response.ETag);
        Assert.Equal([EmulatorOutcome.Throttled, EmulatorOutcome.Accepted], emulator.Attempts.Skip(1).Select(a => a.Outcome));
    }

    [Fact]
    public async Task A_throttled_upload_from_a_stream_that_cannot_be_rewound_is_not_sent_again_and_says_why()
    {
        var (emulator, provider, time) = await StartAsync();
        await using var _ = emulator;
        await using var __ = provider;
        var s3 = provider.GetRequiredService<IAmazonS3>();

        var upload = s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = "mail",
            Key = "second",
            InputStream = new ForwardOnlyStream(Content),
            Headers = { ContentLength = Content.Length },
        });
        await UntilRetryWaits(time, upload, emulator);
        emulator.ChangeQuota(1000, 1000);
        emulator.AdvanceClock(RetryDelay);
        time.Advance(RetryDelay);
        var error = await Assert.ThrowsAsync<NotSupportedException>(() => upload.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Contains("PutObjectRequest", error.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be rewound", error.Message, StringComparison.Ordinal);
        Assert.Equal([EmulatorOutcome.Throttled], emulator.Attempts.Skip(1).Select(a => a.Outcome));
    }

    /// <summary>An emulator whose quota the first upload spends, and a container whose S3 retries wait on a clock the test moves.</summary>
    private static async Task<(SesEmulator Emulator, ServiceProvider Provider, RetryDelaySignal Time)> StartAsync()
    {
        var emulator = await SesEmulator.StartAsync(new SesEmulatorOptions { RatePerSecond = 0.001, Burst = 1 });
        var time = new RetryDelaySignal(RetryDelay);
        var provider = Containers.BuildWithS3(emulator, RetryDelay, s => s.AddSingleton<TimeProvider>(time));
        await provider.GetRequiredService<IAmazonS3>().PutObjectAsync(new PutObjectRequest { BucketName = "mail", Key = "first", ContentBody = "spends the quota" });
        return (emulator, provider, time);
    }

    private static async Task UntilRetryWaits(RetryDelaySignal time, Task upload, SesEmulator emulator)
    {
        if (await Task.WhenAny(time.Started, upload, Task.Delay(TimeSpan.FromSeconds(30))) != time.Started)
        {
            Assert.Fail($"The upload ended or hung without waiting to retry: {upload.Status} {upload.Exception?.GetBaseException()}. {string.Join("; ", emulator.Attempts)}");
        }
    }

    /// <summary>A body read once, front to back, as from a network stream.</summary>
    private sealed class ForwardOnlyStream(byte[] content) : Stream
    {
        private readonly MemoryStream _inner = new(content);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
