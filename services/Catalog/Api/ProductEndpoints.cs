using Marketplace.Catalog.Data;
using Marketplace.Catalog.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Marketplace.Catalog.Api;

public static class ProductEndpoints
{
    public const int MaxPageSize = 100;

    public static IEndpointRouteBuilder MapProductEndpoints(this IEndpointRouteBuilder app)
    {
        var products = app.MapGroup("/api/catalog/products").WithTags("Products");
        products.MapGet("/", ListProducts);
        products.MapGet("/{id:guid}", GetProduct);
        return app;
    }

    static async Task<Results<Ok<ProductPage>, ValidationProblem>> ListProducts(
        IProductStore store, CancellationToken ct,
        string? category = null, Guid? merchantId = null, int page = 1, int pageSize = 24)
    {
        var errors = new Dictionary<string, string[]>();
        if (page < 1)
        {
            errors["page"] = ["page must be 1 or more."];
        }
        if (pageSize is < 1 or > MaxPageSize)
        {
            errors["pageSize"] = [$"pageSize must be between 1 and {MaxPageSize}."];
        }
        if (category is { Length: > 300 })
        {
            errors["category"] = ["category must be at most 300 characters."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await store.ListAsync(new ProductQuery(category, merchantId, PublishedOnly: true, page, pageSize), ct));
    }

    static async Task<Results<Ok<Product>, NotFound<Microsoft.AspNetCore.Mvc.ProblemDetails>>> GetProduct(Guid id, IProductStore store, CancellationToken ct)
    {
        var product = await store.GetAsync(id, ct);
        return product is { IsPublished: true }
            ? TypedResults.Ok(product)
            : TypedResults.NotFound(new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Title = "Product not found",
                Detail = $"No published product has the id {id}.",
                Status = StatusCodes.Status404NotFound,
            });
    }
}
