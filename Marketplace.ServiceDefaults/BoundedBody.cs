using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Microsoft.Extensions.Hosting;

public static class BoundedBody
{
    /// <summary>
    /// The request body's bytes, or null when it is longer than <paramref name="limit"/> (said by its Content-Length, or
    /// found while reading, so a body without one is never held past the limit either). For handlers that need the raw
    /// bytes (a signature, a hash under an idempotency key, a CSV) rather than a bound model.
    /// </summary>
    public static async Task<byte[]?> ReadBoundedBodyAsync(this HttpRequest request, int limit, CancellationToken ct)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }
        // Sized by the declared length when there is one; the chunk is pooled (an order is read this way on every click).
        using var buffer = new MemoryStream(request.ContentLength is { } declared ? (int)declared : 0);
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return null;
                }
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return buffer.ToArray();
    }
}
