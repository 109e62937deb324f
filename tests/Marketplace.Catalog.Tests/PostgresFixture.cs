using Marketplace.Catalog.Data;
using Marketplace.Testing;

[assembly: AssemblyFixture(typeof(Marketplace.Catalog.Tests.PostgresFixture))]

namespace Marketplace.Catalog.Tests;

/// <summary>One real PostgreSQL for the assembly; each test class gets a fresh database with Catalog's schema.</summary>
public sealed class PostgresFixture() : PostgresDatabases<CatalogDbContext>("catalog", options => new CatalogDbContext(options)), IAsyncLifetime;
