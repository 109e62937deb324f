using Marketplace.AppHost.Infrastructure;

// --with-simulators: a published manifest also deploys the payment provider and warehouse simulators (a staging
// environment without the real ones). A bare switch, taken out before the configuration reads the arguments.
var withSimulatorsSwitch = args.Contains("--with-simulators");
var builder = DistributedApplication.CreateBuilder([.. args.Where(a => a != "--with-simulators")]);

var mode = builder.GetInfrastructureMode();
var data = HostData.For(builder);
// Run locally, the third parties are our simulators; a published manifest points at the real ones (parameters).
var withSimulators = builder.ExecutionContext.IsRunMode || withSimulatorsSwitch;

// Infrastructure: the same resource names in both modes (host executables or containers), so services never know which.
var postgres = builder.AddMarketplacePostgres(mode, data);
var identityDb = postgres.AddDatabase("identitydb");
var usersDb = postgres.AddDatabase("usersdb");
var catalogDb = postgres.AddDatabase("catalogdb");
var inventoryDb = postgres.AddDatabase("inventorydb");
var orderingDb = postgres.AddDatabase("orderingdb");
var paymentDb = postgres.AddDatabase("paymentdb");
var notificationDb = postgres.AddDatabase("notificationdb");
var redis = builder.AddMarketplaceRedis(mode, data);
var rabbitmq = builder.AddMarketplaceRabbitMQ(mode, data);
var smtp = builder.AddMarketplaceSmtp(mode, data);

// Third parties. The payment provider's API key and webhook signing secret are shared with Payment; the external
// warehouse ("northwind") has an API key for our calls and a secret it signs its webhooks with.
var providerApiKey = data.SecretParameter(builder, "payment-provider-api-key");
var providerWebhookSecret = data.SecretParameter(builder, "payment-provider-webhook-secret");
var warehouseApiKey = data.SecretParameter(builder, "warehouse-api-key");
var warehouseWebhookSecret = data.SecretParameter(builder, "warehouse-webhook-secret");
IResourceBuilder<ProjectResource>? paymentProvider = null, warehouse = null;
if (withSimulators)
{
    paymentProvider = builder.AddMarketplaceProject<Projects.Marketplace_PaymentProvider>("payment-provider")
        .WithEnvironment("PaymentProvider__ApiKey", providerApiKey)
        .WithEnvironment("PaymentProvider__WebhookSecret", providerWebhookSecret)
        .WithSettingsFrom("PaymentProvider");
    warehouse = builder.AddMarketplaceProject<Projects.Marketplace_Warehouse>("warehouse")
        .WithEnvironment("Warehouse__ApiKey", warehouseApiKey)
        .WithEnvironment("Warehouse__WebhookSecret", warehouseWebhookSecret)
        .WithSettingsFrom("Warehouse");
}

// Services.
var identity = builder.AddMarketplaceProject<Projects.Marketplace_Identity>("identity")
    .WithReference(identityDb).WaitFor(identityDb)
    .WithReference(redis).WaitFor(redis)
    .WithReference(rabbitmq).WaitFor(rabbitmq)
    .WithReference(smtp).WaitFor(smtp) // address confirmations and registration notices
    .WithSettingsFrom("Identity:SignInThrottle");

var users = builder.AddMarketplaceProject<Projects.Marketplace_Users>("users")
    .WithReference(usersDb).WaitFor(usersDb)
    .WithReference(identity)
    .WithReference(rabbitmq).WaitFor(rabbitmq);

var catalog = builder.AddMarketplaceProject<Projects.Marketplace_Catalog>("catalog")
    .WithReference(catalogDb).WaitFor(catalogDb)
    .WithReference(redis).WaitFor(redis)
    .WithReference(rabbitmq).WaitFor(rabbitmq)
    .WithReplicasFrom("Catalog");
if (builder.ExecutionContext.IsRunMode)
{
    // The Development catalogue seeded on first start (10,000 products unless Catalog:SeedProducts says otherwise).
    catalog.WithEnvironment("Catalog__SeedProducts", builder.Configuration["Catalog:SeedProducts"] ?? "10000");
}

var inventory = builder.AddMarketplaceProject<Projects.Marketplace_Inventory>("inventory")
    .WithReference(inventoryDb).WaitFor(inventoryDb)
    .WithReference(rabbitmq).WaitFor(rabbitmq)
    .WithReference(catalog) // who owns a SKU, and the catalogue's SKUs for opening stock in Development
    .WithEnvironment("Inventory__External__Systems__northwind__ApiKey", warehouseApiKey)
    .WithEnvironment("Inventory__External__Systems__northwind__WebhookSecret", warehouseWebhookSecret)
    .WithSettingsFrom("Inventory")
    .WithReplicasFrom("Inventory");

var ordering = builder.AddMarketplaceProject<Projects.Marketplace_Ordering>("ordering")
    .WithReference(orderingDb).WaitFor(orderingDb)
    .WithReference(redis).WaitFor(redis)
    .WithReference(rabbitmq).WaitFor(rabbitmq)
    .WithReference(catalog) // prices at checkout
    .WithReference(inventory) // the hold taken while the buyer waits
    .WithSettingsFrom("Ordering")
    .WithReplicasFrom("Ordering");

var payment = builder.AddMarketplaceProject<Projects.Marketplace_Payment>("payment")
    .WithReference(paymentDb).WaitFor(paymentDb)
    .WithReference(rabbitmq).WaitFor(rabbitmq)
    .WithEnvironment("PaymentProvider__ApiKey", providerApiKey)
    .WithEnvironment("PaymentProvider__WebhookSecret", providerWebhookSecret)
    .WithSettingsFrom("Payment")
    .WithReplicasFrom("Payment");

var search = builder.AddMarketplaceProject<Projects.Marketplace_Search>("search")
    .WithReference(rabbitmq).WaitFor(rabbitmq)
    .WithReference(catalog) // its internal product scan, to rebuild the index
    .WithReference(inventory); // and the stock of every SKU

var notification = builder.AddMarketplaceProject<Projects.Marketplace_Notification>("notification")
    .WithReference(notificationDb).WaitFor(notificationDb)
    .WithReference(smtp).WaitFor(smtp)
    .WithReference(redis).WaitFor(redis) // live updates reach every replica's listeners through Redis
    .WithReference(rabbitmq).WaitFor(rabbitmq)
    .WithReference(users); // buyers' e-mail addresses and preferences

if (mode == InfrastructureMode.Containers)
{
    var mongo = builder.AddMarketplaceMongo();
    var elasticsearch = builder.AddMarketplaceElasticsearch();
    catalog.WithReference(mongo).WaitFor(mongo).WithEnvironment("ProductStore__Provider", "mongo");
    search.WithReference(elasticsearch).WaitFor(elasticsearch).WithEnvironment("SearchIndex__Provider", "elasticsearch");
}
else
{
    catalog.WithEnvironment("ProductStore__Provider", "postgres");
    search.WithEnvironment("SearchIndex__Provider", "lucene")
        .WithEnvironment("SearchIndex__Path", data.Directory("search-index"));
}

// The edge: one public origin for every API. It starts alongside the services (a route whose
// service is not up yet answers 502/503 until it is), which keeps start-up short.
var gateway = builder.AddMarketplaceProject<Projects.Marketplace_Gateway>("gateway")
    .WithExternalHttpEndpoints()
    .WithSettingsFrom("Gateway")
    .WithPortFrom("Gateway")
    .WithReplicasFrom("Gateway")
    .WithReference(identity)
    .WithReference(users)
    .WithReference(catalog)
    .WithReference(inventory)
    .WithReference(ordering)
    .WithReference(payment)
    .WithReference(search)
    .WithReference(notification);

// Tokens name the public origin as their issuer however Identity was reached (through the gateway
// or directly by a service), so every validator sees one issuer.
identity.WithEnvironment("Identity__Issuer", gateway.GetEndpoint("http"));

if (paymentProvider is not null && warehouse is not null)
{
    payment.WithReference(paymentProvider).WaitFor(paymentProvider);
    inventory.WithReference(warehouse);
    // The simulators call us back at our public edge, as the real ones would.
    paymentProvider.WithEnvironment("PaymentProvider__WebhookUrl", ReferenceExpression.Create($"{gateway.GetEndpoint("http")}/api/payments/webhooks/provider"))
        // Subscribed to what Payment acts on, as a real provider's webhook endpoint is (its "enabled events"): an
        // authorization's outcome. The news of our own captures and cancels would be acknowledged unread.
        .WithEnvironment("PaymentProvider__WebhookEvents__0", "payment_intent.amount_capturable_updated")
        .WithEnvironment("PaymentProvider__WebhookEvents__1", "payment_intent.payment_failed");
    warehouse.WithEnvironment("Warehouse__WebhookUrl", ReferenceExpression.Create($"{gateway.GetEndpoint("http")}/api/inventory/webhooks/northwind"));
}
else
{
    // Deployed against the real provider and warehouse: where they are is said at deployment (their webhooks are
    // registered with them to call https://<the gateway's public host>/api/payments/webhooks/provider and
    // /api/inventory/webhooks/northwind).
    payment.WithEnvironment("PaymentProvider__BaseUrl", builder.AddParameter("payment-provider-url"));
    inventory.WithEnvironment("Inventory__External__Systems__northwind__BaseUrl", builder.AddParameter("warehouse-url"));
}

var web = builder.AddMarketplaceProject<Projects.Marketplace_Web>("web")
    .WithExternalHttpEndpoints()
    .WithReference(redis).WaitFor(redis)
    .WithReference(gateway)
    .WithWebClient(identity, gateway, data, "catalog", "inventory", "ordering", "search", "users", "notification");

// Service-to-service: each service's own client, allowed only the APIs its code calls (internal endpoints):
// Inventory asks Catalog for SKUs, Ordering prices at Catalog and holds at Inventory, Search rebuilds from Catalog
// and Inventory, Notification reads contacts at Users. Catalog and Payment call no one: they only check tokens.
inventory.WithServiceClient(identity, data, "catalog");
ordering.WithServiceClient(identity, data, "catalog", "inventory");
search.WithServiceClient(identity, data, "catalog", "inventory");
notification.WithServiceClient(identity, data, "users");
catalog.WithReference(identity);
payment.WithReference(identity);

// Our own hops (web → gateway → services) pass the client's address on, proven by one shared key; an ingress in front
// of gateway and web is trusted through ClientAddress:TrustedProxies instead (docs/deploy.md).
var proxyKey = data.SecretParameter(builder, "proxy-key");
foreach (var hop in new[] { web, gateway, identity, users, catalog, inventory, ordering, payment, search, notification })
{
    hop.WithEnvironment("ClientAddress__ProxyKey", proxyKey);
}
if (builder.Configuration["ClientAddress:TrustedProxies"] is { Length: > 0 } trustedProxies)
{
    web.WithEnvironment("ClientAddress__TrustedProxies__0", trustedProxies);
    gateway.WithEnvironment("ClientAddress__TrustedProxies__0", trustedProxies);
}
// A proxy in front of the web app alone (a CDN; the tests play one to stand for many visitors).
if (builder.Configuration["ClientAddress:WebTrustedProxies"] is { Length: > 0 } webProxies)
{
    web.WithEnvironment("ClientAddress__TrustedProxies__1", webProxies);
}

// Run locally, a dozen processes share a few cores. The services whose work no buyer waits on at the click (the charge,
// mails and live news, the search index, profiles, the simulated third parties) run at a lower CPU priority, so in a burst
// the click's own path (gateway, Ordering, Inventory, Catalog's prices, PostgreSQL) is served first and the rest catches
// up after, as it would on cores of its own when deployed. --Marketplace:BackgroundPriority=Normal turns it off.
if (builder.ExecutionContext.IsRunMode)
{
    var backgroundPriority = builder.Configuration["Marketplace:BackgroundPriority"] ?? "BelowNormal";
    foreach (var background in new[] { payment, notification, search, users, paymentProvider, warehouse }.OfType<IResourceBuilder<ProjectResource>>())
    {
        background.WithEnvironment("Marketplace__ProcessPriority", backgroundPriority);
    }
}

builder.AnnounceWhenReady(web, gateway);

builder.Build().Run();
