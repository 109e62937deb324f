namespace Marketplace.AppHost.Infrastructure;

/// <summary>
/// The stores that exist only in containers mode. In host mode the product store is PostgreSQL jsonb
/// (Catalog's own database) and the search index is Lucene.Net on the Search service's disk.
/// </summary>
public static class DocumentAndSearchStoreExtensions
{
    public static IResourceBuilder<MongoResource> AddMarketplaceMongo(this IDistributedApplicationBuilder builder) =>
        builder.AddResource(new MongoResource("mongo"))
            .WithImage("mongo", "8.0")
            .WithImageRegistry("docker.io")
            .WithEndpoint(name: MongoResource.EndpointName, targetPort: 27017, scheme: "tcp")
            .WithVolume("marketplace-mongo-data", "/data/db");

    public static IResourceBuilder<ElasticsearchResource> AddMarketplaceElasticsearch(this IDistributedApplicationBuilder builder) =>
        builder.AddResource(new ElasticsearchResource("elasticsearch"))
            .WithImage("elasticsearch/elasticsearch", "9.1.5")
            .WithImageRegistry("docker.elastic.co")
            .WithHttpEndpoint(name: ElasticsearchResource.EndpointName, targetPort: 9200)
            .WithEnvironment("discovery.type", "single-node")
            .WithEnvironment("xpack.security.enabled", "false")
            .WithEnvironment("ES_JAVA_OPTS", "-Xms512m -Xmx512m")
            .WithVolume("marketplace-elasticsearch-data", "/usr/share/elasticsearch/data")
            .WithHttpHealthCheck("/_cluster/health?wait_for_status=yellow&timeout=2s", endpointName: ElasticsearchResource.EndpointName);
}

public sealed class MongoResource(string name) : ContainerResource(name), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    public EndpointReference PrimaryEndpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"mongodb://{PrimaryEndpoint.Property(EndpointProperty.Host)}:{PrimaryEndpoint.Property(EndpointProperty.Port)}/?directConnection=true");
}

public sealed class ElasticsearchResource(string name) : ContainerResource(name), IResourceWithConnectionString
{
    public const string EndpointName = "http";

    public EndpointReference PrimaryEndpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.Url)}");
}
