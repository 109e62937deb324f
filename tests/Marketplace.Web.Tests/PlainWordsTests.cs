using System.Net;
using System.Text;
using Marketplace.Web.Services;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Tests;

/// <summary>What the user reads: prices in the configured culture and API failures in plain words.</summary>
public sealed class PlainWordsTests
{
    private static PriceFormatter Prices(string culture) => new(Options.Create(new StorefrontOptions { Culture = culture }));

    [Theory]
    [InlineData("en-US", "USD", "$1,234.50")]
    [InlineData("en-US", "EUR", "€1,234.50")]
    [InlineData("de-DE", "EUR", "1.234,50 €")]
    [InlineData("de-DE", "USD", "1.234,50 $")]
    [InlineData("en-GB", "GBP", "£1,234.50")]
    public void Prices_use_the_culture_numbers_and_the_currency_symbol(string culture, string currency, string expected) =>
        Assert.Equal(expected, Prices(culture).Format(1234.50m, currency));

    [Fact]
    public void An_unknown_currency_shows_its_code_never_the_generic_sign() =>
        Assert.DoesNotContain("¤", Prices("en-US").Format(5m, "XTS"));

    private static Task<ApiException> Read(HttpStatusCode status, string body) =>
        ApiProblems.ReadAsync(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/problem+json") }, CancellationToken.None);

    [Fact]
    public async Task A_problem_detail_is_the_message_and_validation_errors_are_kept_per_field()
    {
        var problem = await Read(HttpStatusCode.BadRequest,
            """{"title":"One or more validation errors occurred.","status":400,"errors":{"variants[0].sku":["A SKU is 3 to 40 capital letters, digits or '-'."],"title":["title is required, 1 to 200 characters."]}}""");

        Assert.Equal("A SKU is 3 to 40 capital letters, digits or '-'.", problem.ErrorFor("variants[0].sku"));
        Assert.Equal(2, problem.AllFieldMessages.Count());
        Assert.StartsWith("Some details need another look", problem.Message);

        var conflict = await Read(HttpStatusCode.Conflict, """{"title":"SKU already in use","detail":"Another product already has the SKU ACME-1."}""");
        Assert.Equal("Another product already has the SKU ACME-1.", conflict.Message);
    }

    [Fact]
    public async Task Server_failures_and_exceptions_never_show_their_insides()
    {
        var failure = await Read(HttpStatusCode.InternalServerError, "System.NullReferenceException: Object reference not set\n   at Marketplace.Catalog...");
        Assert.Equal("The shop is having trouble right now. Please try again in a moment.", failure.Message);
        Assert.Equal(ApiProblems.SessionEnded, (await Read(HttpStatusCode.Unauthorized, "")).Message);
        Assert.Equal(ApiProblems.Unreachable, ApiProblems.Describe(new HttpRequestException("No such host is known. (gateway:80)")));
        Assert.DoesNotContain("Object reference", ApiProblems.Describe(new NullReferenceException("Object reference not set")));
    }
}
