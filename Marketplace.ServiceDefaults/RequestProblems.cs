using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Turns every failure to read a request — a body that is not JSON or does not fit its type, a query or route
/// value out of its type's range, a wrong content type, a body over the size limit, a form the server cannot read,
/// a missing antiforgery token — into the 4xx problem it is, naming the field or parameter when it can. Minimal
/// APIs throw these as <see cref="BadHttpRequestException"/> in every environment (see
/// <see cref="MarketplaceServiceDefaults.AddServiceDefaults{TBuilder}"/>), so one handler answers for every endpoint.
/// </summary>
public sealed partial class RequestProblems(IProblemDetailsService problems, ILogger<RequestProblems> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (Describe(exception) is not { } problem || context.Response.HasStarted)
        {
            return false;
        }
        logger.LogInformation("Refused an unreadable request to {Path}: {Status} {Reason}", context.Request.Path, problem.Status, exception.Message);
        context.Response.StatusCode = problem.Status ?? StatusCodes.Status400BadRequest;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>The problem a request-reading failure is, or null for an exception that is the server's fault.</summary>
    public static ProblemDetails? Describe(Exception exception) => exception switch
    {
        BadHttpRequestException bad => FromBadRequest(bad),
        AntiforgeryValidationException => new ProblemDetails
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The form has expired or was not sent by this site",
            Detail = "The request lacks a valid antiforgery token. Reload the page and send the form again.",
        },
        // MVC and Razor Pages wrap a form the server cannot read (too many values, a value too long).
        ValueProviderException or InvalidDataException => new ProblemDetails
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The form could not be read",
            Detail = exception.InnerException?.Message ?? exception.Message,
        },
        _ => null,
    };

    private static ProblemDetails FromBadRequest(BadHttpRequestException bad)
    {
        var status = bad.StatusCode is >= 400 and < 500 ? bad.StatusCode : StatusCodes.Status400BadRequest;
        if (status != StatusCodes.Status400BadRequest)
        {
            return new ProblemDetails { Status = status, Title = TitleFor(status), Detail = bad.Message };
        }
        // A JSON body that does not fit: the JSON path names the member ("lines[0].quantity").
        if (bad.InnerException is JsonException { Path: { } path } json)
        {
            var field = FieldName(path, ParameterIn(bad.Message));
            return Invalid(field, $"The value is not valid here: {JsonReason(json)}", "The request body is not valid JSON for this operation.");
        }
        if (ParameterIn(bad.Message) is { } parameter)
        {
            var message = bad.Message.StartsWith("Required parameter", StringComparison.Ordinal)
                ? "A value is required."
                : bad.InnerException is JsonException
                    ? "The request body is not valid JSON."
                    : $"The value is not a valid {FriendlyType(TypeIn(bad.Message))}.";
            return Invalid(parameter, message, bad.Message);
        }
        return new ProblemDetails { Status = status, Title = "The request could not be read", Detail = bad.Message };
    }

    private static ValidationProblemDetails Invalid(string field, string message, string detail) =>
        new(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "One or more values are not valid",
            Detail = detail,
        };

    /// <summary>"$.lines[0].quantity" → "lines[0].quantity"; the body as a whole ("$") → the parameter's name.</summary>
    internal static string FieldName(string jsonPath, string? parameter)
    {
        var field = jsonPath.TrimStart('$').TrimStart('.');
        return field.Length > 0 ? field : parameter ?? "body";
    }

    /// <summary>The JSON reader's reason without its position noise (a client gets the field from the key).</summary>
    private static string JsonReason(JsonException json)
    {
        var message = json.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    /// <summary>The parameter's name in a binding failure's message (<c>Failed to bind parameter "int page" from "x".</c>).</summary>
    internal static string? ParameterIn(string message) =>
        ParameterPattern().Match(message) is { Success: true } m ? m.Groups["name"].Value : null;

    private static string? TypeIn(string message) =>
        ParameterPattern().Match(message) is { Success: true } m ? m.Groups["type"].Value : null;

    private static string FriendlyType(string? type) => type?.TrimEnd('?') switch
    {
        "int" or "Int32" or "long" or "Int64" or "short" or "Int16" => "whole number in range",
        "decimal" or "Decimal" or "double" or "Double" or "float" or "Single" => "number in range",
        "Guid" => "GUID",
        "bool" or "Boolean" => "true or false",
        "DateTime" or "DateTimeOffset" => "date and time",
        null => "value",
        var other => $"{other} value",
    };

    private static string TitleFor(int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => "The request body is too large",
        StatusCodes.Status415UnsupportedMediaType => "The content type is not supported",
        StatusCodes.Status414UriTooLong => "The address is too long",
        StatusCodes.Status431RequestHeaderFieldsTooLarge => "The request headers are too large",
        StatusCodes.Status408RequestTimeout => "The request took too long to arrive",
        _ => "The request could not be read",
    };

    /// <summary>
    /// Refuses a body declared larger than the server takes before anything else answers (a 401 from
    /// authorization, say): Kestrel cannot drain such a body after an early answer and would reset the connection,
    /// so the client would see no answer at all, or a later request on the same connection would fail. The answer
    /// says <c>Connection: close</c>, so no client reuses the connection.
    /// </summary>
    internal static async Task RefuseOversizedBodyAsync(HttpContext context, Func<Task> next)
    {
        var limit = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
        if (limit is null || context.Request.ContentLength is not { } length || length <= limit)
        {
            await next();
            return;
        }
        // A client still sending its body when the connection closes sees the connection broken, not this answer:
        // a body of a plausible size is read and dropped (briefly) before the connection closes. A larger one is not
        // worth the bandwidth; its sender may then see the connection end instead.
        var drain = length <= DrainAtMost;
        if (drain && context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        context.Response.Headers.Connection = "close";
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status413PayloadTooLarge,
                Title = TitleFor(StatusCodes.Status413PayloadTooLarge),
                Detail = $"The body is {length} bytes; at most {limit} are accepted.",
            },
        });
        if (drain)
        {
            await DropBodyAsync(context);
        }
    }

    /// <summary>The largest declared body a refusal still reads to its end, so its sender gets the refusal.</summary>
    private const long DrainAtMost = 16 * 1024 * 1024;

    private static async Task DropBodyAsync(HttpContext context)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (await context.Request.Body.ReadAsync(buffer, timeout.Token) > 0)
            {
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or BadHttpRequestException)
        {
            // The client stopped sending or is too slow: the connection closes either way.
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Refuses a path or query value that no person could have typed (a control character or an invalid code point
    /// once decoded), naming the parameter, before an endpoint passes it on to a store that cannot hold it.
    /// </summary>
    internal static async Task RefuseUnprintableInputAsync(HttpContext context, Func<Task> next)
    {
        string? field = null;
        if (PlainTextConverter.FirstUnwanted(context.Request.Path.Value ?? "") is not null)
        {
            field = "path";
        }
        else
        {
            foreach (var (name, values) in context.Request.Query)
            {
                if (PlainTextConverter.FirstUnwanted(name) is not null || values.Any(v => v is not null && PlainTextConverter.FirstUnwanted(v) is not null))
                {
                    field = PlainTextConverter.FirstUnwanted(name) is null ? name : "query";
                    break;
                }
            }
        }
        if (field is null)
        {
            await next();
            return;
        }
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = Invalid(field, "The value contains a control character or is not valid text.", "The address of the request holds characters no one types."),
        });
    }

    [GeneratedRegex("parameter \"(?<type>[^\"]*?) ?(?<name>[A-Za-z_][A-Za-z0-9_]*)\"", RegexOptions.CultureInvariant)]
    private static partial Regex ParameterPattern();
}
