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
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
