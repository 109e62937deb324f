using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Marketplace.Inventory.Data.Migrations
{
    /// <inheritdoc />
    public partial class ExternalSystems : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "external_events",
                columns: table => new
                {
                    system = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    event_id = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    source = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    occurred_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    outcome = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_external_events", x => new { x.system, x.event_id });
                });

            migrationBuilder.CreateTable(
                name: "external_systems",
                columns: table => new
                {
                    code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    warehouse = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    breaker = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    breaker_changed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_inbound_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_inbound_lag_ms = table.Column<double>(type: "double precision", nullable: true),
                    last_outbound_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    delivery_failures = table.Column<long>(type: "bigint", nullable: false),
                    rejected_inbound = table.Column<long>(type: "bigint", nullable: false),
                    last_error = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    last_error_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    lease_owner = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    lease_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_external_systems", x => x.code);
                    table.ForeignKey(
                        name: "FK_external_systems_warehouses_warehouse",
                        column: x => x.warehouse,
                        principalTable: "warehouses",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "reconciliation_runs",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    system = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    @checked = table.Column<int>(name: "checked", type: "integer", nullable: false),
                    drifted = table.Column<int>(type: "integer", nullable: false),
                    @fixed = table.Column<int>(name: "fixed", type: "integer", nullable: false),
                    skipped = table.Column<int>(type: "integer", nullable: false),
                    error = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    findings = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_reconciliation_runs", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "external_stock",
                columns: table => new
                {
                    system = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    sku = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    on_hand = table.Column<int>(type: "integer", nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_external_stock", x => new { x.system, x.sku });
                    table.CheckConstraint("ck_external_stock_on_hand", "on_hand >= 0");
                    table.ForeignKey(
                        name: "FK_external_stock_external_systems_system",
                        column: x => x.system,
                        principalTable: "external_systems",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "outbound_changes",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    system = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    sku = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    delta = table.Column<int>(type: "integer", nullable: false),
                    reference = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    next_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    delivered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    refused = table.Column<bool>(type: "boolean", nullable: false),
                    last_error = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_outbound_changes", x => x.id);
                    table.CheckConstraint("ck_outbound_changes_delta", "delta <> 0");
                    table.ForeignKey(
                        name: "FK_outbound_changes_external_systems_system",
                        column: x => x.system,
                        principalTable: "external_systems",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_external_events_received_at",
                table: "external_events",
                column: "received_at");

            migrationBuilder.CreateIndex(
                name: "IX_external_systems_warehouse",
                table: "external_systems",
                column: "warehouse");

            migrationBuilder.CreateIndex(
                name: "ix_outbound_changes_pending",
                table: "outbound_changes",
                columns: new[] { "system", "id" },
                filter: "delivered_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_reconciliation_runs_system_id",
                table: "reconciliation_runs",
                columns: new[] { "system", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "external_events");

            migrationBuilder.DropTable(
                name: "external_stock");

            migrationBuilder.DropTable(
                name: "outbound_changes");

            migrationBuilder.DropTable(
                name: "reconciliation_runs");

            migrationBuilder.DropTable(
                name: "external_systems");
        }
    }
}
