using Marketplace.Gateway;
using Marketplace.ServiceDefaults.Authentication;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Transforms;

// The edge: one origin for every public API, routing by path to the owning service (routes in
// appsettings.json, destinations found through service discovery). It checks tokens on protected
// routes and forwards them; each service validates them again for its own audience.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
// The gateway is no audience of its own: a token for any of our services may pass the edge.
builder.AddMarketplaceAuthentication("catalog", "inventory", "ordering", "payment", "search", "users", "notification");
builder.Services.AddAuthorizationBuilder()
    .AddPolicy("authenticated", policy => policy.RequireAuthenticatedUser());
builder.Services.AddGatewayRateLimiting(builder.Configuration);
builder.WebHost.ConfigureKestrel(kestrel =>
    kestrel.Limits.MaxRequestBodySize = builder.Configuration.GetValue<long?>("Gateway:MaxRequestBodyBytes") ?? 1_048_576);

builder.Services.AddReverseProxy()
    .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
    .AddServiceDiscoveryDestinationResolver()
    // The services see the client's address (rate limits, sign-in throttling) because this hop vouches for it with
    // the shared proxy key; whatever a client sent in those headers was dropped on the way in (UseClientAddress).
    .AddTransforms(transforms =>
    {
        var clientAddress = transforms.Services.GetRequiredService<IOptions<ClientAddressOptions>>().Value;
        transforms.AddRequestTransform(context =>
        {
            ClientAddress.Forward(context.ProxyRequest, context.HttpContext.Connection.RemoteIpAddress, clientAddress.ProxyKey);
            return ValueTask.CompletedTask;
        });
    });

var app = builder.Build();
app.UseMarketplaceDefaults();
app.UseAuthentication();
app.UseRateLimiter();
app.UseAuthorization();
app.MapReverseProxy();
app.Run();
