using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace Marketplace.ServiceDefaults.Tests;

/// <summary>
/// Without an OTLP endpoint nothing is recorded, but the messaging activities are still created: the correlation id
/// crosses the broker and the outbox as their baggage.
/// </summary>
public sealed class TelemetryWithoutExporterTests
{
    [Fact]
    public async Task Messaging_activities_carry_the_correlation_id_without_being_recorded()
    {
        var builder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:0", "--environment", "Production"]);
        builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] = "";
        builder.AddServiceDefaults();
        await using var app = builder.Build();

        using var masstransit = new ActivitySource("MassTransit");
        using var ours = new ActivitySource("Marketplace.Messaging");
        using var consume = masstransit.StartActivity("consume");
        Assert.NotNull(consume);
        Assert.False(consume.Recorded);
        consume.SetBaggage(CorrelationId.BaggageKey, "corr-42");
        using (var publish = ours.StartActivity("outbox relay"))
        {
            Assert.NotNull(publish);
            Assert.Equal("corr-42", CorrelationId.Current);
        }
        using var unrelated = new ActivitySource("Some.Library.Without.Listeners");
        Assert.Null(unrelated.StartActivity("nothing"));
    }
}
