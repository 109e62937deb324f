using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Marketplace.Simulators;
using Microsoft.Extensions.Options;

namespace Marketplace.PaymentProvider;

/// <summary>
/// What stands in front of every <c>/v1</c> call, in this order: the simulated latency, the
/// outage switch (503, nothing done), the API key (401) and, for POSTs, the Idempotency-Key.
/// </summary>
public sealed class ProviderGate(RequestDelegate next, SimulatorSwitches switches, IOptions<ProviderOptions> options, IdempotencyStore idempotency)
{
    public const string IdempotencyHeader = "Idempotency-Key";
    private readonly BearerKey _apiKey = new(options.Value.ApiKey);

    public async Task InvokeAsync(HttpContext context)
    {
        var settings = switches.Current;
        if (settings.LatencyMs > 0)
        {
            await Task.Delay(settings.LatencyMs, context.RequestAborted);
        }
        if (settings.Outage)
        {
            await Error(context, StatusCodes.Status503ServiceUnavailable, "api_error", null, "The provider is unavailable (simulated outage).");
            return;
        }
        if (!_apiKey.IsPresentedBy(context.Request))
        {
            await Error(context, StatusCodes.Status401Unauthorized, "invalid_request_error", "api_key_invalid", "Invalid API key: send 'Authorization: Bearer <key>'.");
            return;
        }
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            await next(context);
            return;
        }
        string? key = context.Request.Headers[IdempotencyHeader];
        if (string.IsNullOrWhiteSpace(key) || key.Length > 255)
        {
            await Error(context, StatusCodes.Status400BadRequest, "invalid_request_error", "idempotency_key_missing", "Every POST needs an Idempotency-Key header (at most 255 characters).");
            return;
        }
        await idempotency.RunOnceAsync(key, context, next);
    }

    internal static Task Error(HttpContext context, int status, string type, string? code, string message) =>
        Results.Json(new ErrorBody(new ErrorDetail(type, code, message)), ProviderJson.Options, statusCode: status).ExecuteAsync(context);
}

/// <summary>
/// Stripe's idempotency: the first answer to a key (any status below 500) is kept and replayed
/// byte for byte to every later request with that key; a later request whose method, path or body
/// differs is refused. Requests with one key take turns, so concurrent retries make one effect.
/// A 5xx is not kept: the effect did not happen, and the next try runs afresh.
/// </summary>
public sealed class IdempotencyStore
{
    public const string ReplayedHeader = "Idempotent-Replayed";
    private readonly ConcurrentDictionary<string, Entry> _entries = new();

    public async Task RunOnceAsync(string key, HttpContext context, RequestDelegate next)
    {
        var fingerprint = await FingerprintAsync(context.Request);
        var entry = _entries.GetOrAdd(key, _ => new Entry());
        await entry.Turn.WaitAsync(context.RequestAborted);
        try
        {
            if (entry.Answer is { } kept)
            {
                if (kept.Fingerprint != fingerprint)
                {
                    await ProviderGate.Error(context, StatusCodes.Status400BadRequest, "idempotency_error", "idempotency_key_in_use",
                        $"Keys for idempotent requests can only be used with the same parameters they were first used with; '{key}' was used with different ones.");
                    return;
                }
                context.Response.StatusCode = kept.StatusCode;
                context.Response.ContentType = kept.ContentType;
                context.Response.Headers[ReplayedHeader] = "true";
                await context.Response.Body.WriteAsync(kept.Body, context.RequestAborted);
                return;
            }

            var realBody = context.Response.Body;
            using var buffer = new MemoryStream();
            context.Response.Body = buffer;
            try
            {
                await next(context);
            }
            finally
            {
                context.Response.Body = realBody;
            }
            var body = buffer.ToArray();
            if (context.Response.StatusCode < 500)
            {
                entry.Answer = new KeptAnswer(fingerprint, context.Response.StatusCode, context.Response.ContentType ?? "application/json", body);
            }
            await realBody.WriteAsync(body, context.RequestAborted);
        }
        finally
        {
            entry.Turn.Release();
        }
    }

    private static async Task<string> FingerprintAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}\n"));
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            sha.AppendData(chunk, 0, read);
        }
        request.Body.Position = 0;
        return Convert.ToHexString(sha.GetHashAndReset());
    }

    private sealed class Entry
    {
        public SemaphoreSlim Turn { get; } = new(1, 1);
        public KeptAnswer? Answer { get; set; }
    }

    private sealed record KeptAnswer(string Fingerprint, int StatusCode, string ContentType, byte[] Body);
}
