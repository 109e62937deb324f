using Marketplace.Inventory.Data;
using Marketplace.Testing;

[assembly: AssemblyFixture(typeof(Marketplace.Inventory.Tests.PostgresFixture))]

namespace Marketplace.Inventory.Tests;

/// <summary>One real PostgreSQL for the assembly; each test class gets a fresh database with Inventory's schema.</summary>
public sealed class PostgresFixture() : PostgresDatabases<InventoryDbContext>("inventory", options => new InventoryDbContext(options)), IAsyncLifetime;
