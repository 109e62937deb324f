using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace Marketplace.ServiceDefaults.Tests;

public sealed class BoundedBodyTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(40_000)]
    [InlineData(40_960)]
    public async Task A_body_up_to_the_limit_is_read_whole(int length)
    {
        var bytes = Enumerable.Range(0, length).Select(i => (byte)(i * 7)).ToArray();

        var read = await Request(bytes, declareLength: true).ReadBoundedBodyAsync(40_960, TestContext.Current.CancellationToken);

        Assert.Equal(bytes, read);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_one_byte_over_the_limit_is_refused_whether_or_not_it_says_its_length(bool declareLength)
    {
        var read = await Request(new byte[40_961], declareLength).ReadBoundedBodyAsync(40_960, TestContext.Current.CancellationToken);

        Assert.Null(read);
    }

    [Fact]
    public async Task A_declared_length_over_the_limit_is_refused_without_reading()
    {
        var request = Request([1, 2, 3], declareLength: false);
        request.ContentLength = 1_000_000;

        Assert.Null(await request.ReadBoundedBodyAsync(40_960, TestContext.Current.CancellationToken));
        Assert.Equal(0, request.Body.Position);
    }

    private static HttpRequest Request(byte[] body, bool declareLength)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(body);
        context.Request.ContentLength = declareLength ? body.Length : null;
        return context.Request;
    }
}
