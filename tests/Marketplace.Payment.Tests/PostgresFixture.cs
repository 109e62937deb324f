using Marketplace.Payment.Data;
using Marketplace.Testing;

[assembly: AssemblyFixture(typeof(Marketplace.Payment.Tests.PostgresFixture))]

namespace Marketplace.Payment.Tests;

/// <summary>One real PostgreSQL for the assembly; each test class gets a fresh database with Payment's schema.</summary>
public sealed class PostgresFixture() : PostgresDatabases<PaymentDbContext>("payment", options => new PaymentDbContext(options)), IAsyncLifetime;
