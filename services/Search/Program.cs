using Marketplace.Search.Api;
using Marketplace.Search;

// Search Service: an index fed by catalogue and stock events.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddSearchService();

var app = builder.Build();

app.UseMarketplaceDefaults();
app.UseAuthentication();
app.UseAuthorization();
app.MapSearchEndpoints();

app.Run();
